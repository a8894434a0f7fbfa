/// The demo's pages: what each origin's script tries, shown on the page itself.
enum DemoPages {
    static func frame(title: String, color: String, body: String, script: String) -> String {
        """
        <!doctype html><html><head><meta charset="utf-8"><title>\(title)</title>
        <style>body{font:16px system-ui,sans-serif;margin:2em;max-width:46em}h1{color:\(color)}
        pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}.ok{color:#080}.no{color:#b00}</style></head>
        <body><h1>\(title)</h1>\(body)<pre id="out">running…</pre><script>
        const out = document.getElementById("out"); const lines = [];
        const say = (text) => { lines.push(text); out.textContent = lines.join("\\n"); };
        (async () => { \(script) })();
        </script></body></html>
        """
    }

    static func app(api: String) -> String {
        frame(
            title: "Alice's bank", color: "#05a",
            body: "<p>The bank's own app. It logs in and reads the balance with cookies: its origin is trusted.</p>",
            script: """
                await fetch("\(api)/login", {method: "POST", credentials: "include"});
                const r = await fetch("\(api)/balance", {credentials: "include"});
                say("GET /balance → " + r.status + " " + await r.text());
                """)
    }

    static func attacker(api: String) -> String {
        frame(
            title: "Totally harmless kitten pictures", color: "#b00",
            body: "<p>An attacker's page in another tab. It tries to use Alice's cookies at the bank.</p>"
                + "<iframe name=sink style=display:none></iframe>"
                + "<form id=f method=POST action=\"\(api)/transfer\" target=sink>"
                + "<input name=to value=attacker><input name=amount value=1000></form>",
            script: """
                try {
                  const r = await fetch("\(api)/balance", {credentials: "include"});
                  say("READ the balance: " + await r.text());
                } catch (e) {
                  say("could not read the balance: " + e + " — the request reached the bank, the browser hid the answer");
                }
                document.getElementById("f").submit();
                say("submitted a form POST /transfer — the bank refuses it (cross-origin protection): no money moves");
                """)
    }

    static func partner(api: String) -> String {
        frame(
            title: "Partner budgeting app", color: "#070",
            body: "<p>A partner the bank's CORS policy trusts with credentials.</p>",
            script: """
                try {
                  const r = await fetch("\(api)/balance", {credentials: "include"});
                  say("read the balance: " + r.status + " " + await r.text());
                } catch (e) { say("could not read the balance: " + e); }
                """)
    }
}
