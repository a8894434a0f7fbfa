/// The version `cors --version` prints; RELEASING.md says when to change it.
package let corsVersion = "0.1.0"
