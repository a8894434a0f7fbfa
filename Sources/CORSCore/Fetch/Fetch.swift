/// The Fetch Standard's vocabulary: the safelists, forbidden names and header-list rules that both the server
/// policy and the browser model are built from.
///
/// https://fetch.spec.whatwg.org/
public enum Fetch {}
