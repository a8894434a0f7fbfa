// The rs/cors side of scripts/bench-peers.sh: the same policies and requests as Benchmarks/PeerBench (the Swift
// side), each iteration writing the answer into a fresh response, as a server does. Built against Debian's
// golang-github-rs-cors-dev in GOPATH mode; rs/cors's source is not vendored here.
package peers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/cors"
)

type response struct{ header http.Header }

func (r response) Header() http.Header        { return r.header }
func (r response) WriteHeader(int)            {}
func (r response) Write(b []byte) (int, error) { return len(b), nil }

var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

type policy struct {
	name, allowed, denied string
	origins               []string
}

func policies() []policy {
	label := strings.Repeat("a", 60)
	suffix := label + "." + label + "." + label + ".example.com"
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("https://app%d.example.com", i)
	}
	return []policy{
		{"one", "https://app.example.com", "https://evil.example", []string{"https://app.example.com"}},
		{"two", "https://x2." + suffix, "https://x3." + suffix, []string{"https://x1." + suffix, "https://x2." + suffix}},
		{"multiple", "https://deep.sub.example.org", "https://example.org.evil.net",
			[]string{"https://app.example.com", "https://*.example.org", "http://localhost:*", "https://a.example.net:8443"}},
		{"many", "https://app999.example.com", "https://app1000.example.com", many},
		{"all", "https://anything.example", "null", []string{"*"}},
	}
}

// BenchmarkPeers names its cases as the Swift side does: kind/policy/allowed|disallowed.
func BenchmarkPeers(b *testing.B) {
	for _, p := range policies() {
		handler := cors.New(cors.Options{
			AllowedOrigins: p.origins,
			AllowedMethods: []string{"PUT"},
			AllowedHeaders: []string{"x-a", "content-type"},
		}).Handler(noop)
		for _, kind := range []string{"allowed", "disallowed"} {
			origin := p.allowed
			if kind == "disallowed" {
				origin = p.denied
			}
			actual, _ := http.NewRequest("GET", "https://api.example.com/items", nil)
			actual.Header.Add("Origin", origin)
			preflight, _ := http.NewRequest("OPTIONS", "https://api.example.com/items", nil)
			preflight.Header.Add("Origin", origin)
			preflight.Header.Add("Access-Control-Request-Method", "PUT")
			preflight.Header.Add("Access-Control-Request-Headers", "content-type,x-a")
			for _, c := range []struct {
				name    string
				request *http.Request
			}{{"actual", actual}, {"preflight", preflight}} {
				request := c.request
				b.Run(c.name+"/"+p.name+"/"+kind, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; i < b.N; i++ {
						handler.ServeHTTP(response{http.Header{}}, request)
					}
				})
			}
		}
	}
	// 1,024 commas in Access-Control-Request-Headers (jub0bs/cors's evil_acrh).
	handler := cors.New(cors.Options{
		AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{"PUT"},
		AllowedHeaders: []string{"x-a", "content-type"},
	}).Handler(noop)
	hostile, _ := http.NewRequest("OPTIONS", "https://api.example.com/items", nil)
	hostile.Header.Add("Origin", "https://app.example.com")
	hostile.Header.Add("Access-Control-Request-Method", "PUT")
	hostile.Header.Add("Access-Control-Request-Headers", strings.Repeat(",", 1024))
	b.Run("hostile/1024-commas", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			handler.ServeHTTP(response{http.Header{}}, hostile)
		}
	})
	// A list written with spaces: swift-cors rebuilds its echo and does not remember the answer.
	spaced, _ := http.NewRequest("OPTIONS", "https://api.example.com/items", nil)
	spaced.Header.Add("Origin", "https://app.example.com")
	spaced.Header.Add("Access-Control-Request-Method", "PUT")
	spaced.Header.Add("Access-Control-Request-Headers", "content-type, x-a")
	b.Run("preflight/one/unremembered", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			handler.ServeHTTP(response{http.Header{}}, spaced)
		}
	})
}
