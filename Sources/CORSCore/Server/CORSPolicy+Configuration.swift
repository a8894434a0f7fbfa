extension CORSPolicy {
    /// What a policy is made from, before validation: the fields of the policy file.
    ///
    /// Every field is plain data; ``CORSPolicy/init(_:)`` checks them all at once.
    public struct Configuration: Sendable, Hashable {
        /// Origin patterns allowed to read responses: exact origins, `https://*.example.com`, `http://localhost:*`,
        /// or `["*"]` for every origin (only without credentials).
        public var allowOrigins: [String]
        /// Methods allowed beyond `GET`, `HEAD` and `POST` (which never need listing), or `"*"`.
        public var allowMethods: [String]
        /// Request headers allowed beyond the CORS-safelisted ones, or `"*"` (which never covers `authorization`:
        /// list it when it is wanted).
        public var allowHeaders: [String]
        /// Response headers script may read beyond the safelisted ones, or `"*"` (only without credentials).
        public var exposeHeaders: [String]
        /// Whether pages may read responses to requests made with cookies or HTTP authentication.
        public var allowCredentials: Bool
        /// Seconds a browser may cache a successful preflight, from 0 (no caching) to 86,400; `nil` sends no
        /// `Access-Control-Max-Age` (browsers then cache for 5 s).
        public var maxAge: Int?
        /// The status of a successful preflight response: 204 by default, 200 for legacy clients.
        public var preflightSuccessStatus: Int
        /// Allow `http:` origins (other than loopback) to read credentialed responses, which any network
        /// attacker who can inject script into that origin can then do too.
        public var dangerouslyAllowInsecureOriginsWithCredentials: Bool
        /// Allow `https://*.<public suffix>` (such as `*.github.io`) with credentials, which trusts every owner
        /// of a subdomain there.
        public var dangerouslyAllowPublicSuffixWildcardsWithCredentials: Bool
        /// Policies for path prefixes; the longest matching prefix wins, and unset fields inherit from here.
        public var routes: [Route]

        public init(
            allowOrigins: [String],
            allowMethods: [String] = [],
            allowHeaders: [String] = [],
            exposeHeaders: [String] = [],
            allowCredentials: Bool = false,
            maxAge: Int? = nil,
            preflightSuccessStatus: Int = 204,
            dangerouslyAllowInsecureOriginsWithCredentials: Bool = false,
            dangerouslyAllowPublicSuffixWildcardsWithCredentials: Bool = false,
            routes: [Route] = []
        ) {
            self.allowOrigins = allowOrigins
            self.allowMethods = allowMethods
            self.allowHeaders = allowHeaders
            self.exposeHeaders = exposeHeaders
            self.allowCredentials = allowCredentials
            self.maxAge = maxAge
            self.preflightSuccessStatus = preflightSuccessStatus
            self.dangerouslyAllowInsecureOriginsWithCredentials = dangerouslyAllowInsecureOriginsWithCredentials
            self.dangerouslyAllowPublicSuffixWildcardsWithCredentials =
                dangerouslyAllowPublicSuffixWildcardsWithCredentials
            self.routes = routes
        }
    }

    /// A policy for the requests whose normalized path starts with ``pathPrefix`` (at a `/` boundary).
    ///
    /// A field left `nil` inherits the top-level value; `cors: false` switches CORS off under the prefix.
    public struct Route: Sendable, Hashable {
        /// The path prefix, starting with `/`; matched case-sensitively on whole segments (`/api` matches `/api`
        /// and `/api/x`, not `/apix`).
        public var pathPrefix: String
        public var allowOrigins: [String]?
        public var allowMethods: [String]?
        public var allowHeaders: [String]?
        public var exposeHeaders: [String]?
        public var allowCredentials: Bool?
        public var maxAge: Int?
        public var preflightSuccessStatus: Int?
        public var dangerouslyAllowInsecureOriginsWithCredentials: Bool?
        public var dangerouslyAllowPublicSuffixWildcardsWithCredentials: Bool?
        /// `false` switches CORS off under this prefix (an internal API, a webhook): requests get no CORS fields and
        /// preflights get 403, whatever their origin. The route then sets no other field.
        public var cors: Bool?

        public init(
            pathPrefix: String,
            allowOrigins: [String]? = nil,
            allowMethods: [String]? = nil,
            allowHeaders: [String]? = nil,
            exposeHeaders: [String]? = nil,
            allowCredentials: Bool? = nil,
            maxAge: Int? = nil,
            preflightSuccessStatus: Int? = nil,
            dangerouslyAllowInsecureOriginsWithCredentials: Bool? = nil,
            dangerouslyAllowPublicSuffixWildcardsWithCredentials: Bool? = nil,
            cors: Bool? = nil
        ) {
            self.pathPrefix = pathPrefix
            self.cors = cors
            self.allowOrigins = allowOrigins
            self.allowMethods = allowMethods
            self.allowHeaders = allowHeaders
            self.exposeHeaders = exposeHeaders
            self.allowCredentials = allowCredentials
            self.maxAge = maxAge
            self.preflightSuccessStatus = preflightSuccessStatus
            self.dangerouslyAllowInsecureOriginsWithCredentials = dangerouslyAllowInsecureOriginsWithCredentials
            self.dangerouslyAllowPublicSuffixWildcardsWithCredentials =
                dangerouslyAllowPublicSuffixWildcardsWithCredentials
        }

        /// The top-level configuration with this route's fields laid over it.
        func merged(over base: Configuration) -> Configuration {
            var merged = base
            merged.routes = []
            for key in PolicyKey.allCases { key.inherit(from: self, into: &merged) }
            return merged
        }

        /// The fields this route sets itself, so that it does not repeat the top level's problems with inherited
        /// ones.
        var ownFields: Set<PolicyKey> { Set(PolicyKey.allCases.filter { $0.isSet(in: self) }) }
    }
}
