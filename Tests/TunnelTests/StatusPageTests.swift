import Testing
@testable import Tunnel

/// The relay's and agent's own small HTML answers.
@Suite struct StatusPageTests {
    @Test func textIsEscapedForHTMLAndOtherCharactersKept() {
        #expect("plain text, café ☕".htmlEscaped == "plain text, café ☕")
        #expect(#"<a href="x">Tom & Jerry's</a>"#.htmlEscaped == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        #expect("é<é".htmlEscaped == "é&lt;é")
    }

    @Test func aPageShowsWhatAClientSentOnlyEscaped() {
        let page = StatusPage(.notFound, title: "No such tunnel", text: "<script>alert(1)</script>.tunnel.localhost is not one of them.")
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;.tunnel.localhost"))
        #expect(!page.body.contains("<script>"))
        #expect(page.body.contains("<title>404 No such tunnel</title>"))
    }
}
