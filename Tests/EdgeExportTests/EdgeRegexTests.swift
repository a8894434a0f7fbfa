import CORSExport
import Testing

@Suite("The expressions exports are built from")
struct EdgeRegexTests {
    /// Ports are matched in canonical decimal: every number in the range, nothing outside it, no leading zero.
    @Test(arguments: [(1, 442), (444, 65535), (1, 65535), (81, 65535), (7, 7), (10, 99)])
    func decimalRangeMatchesExactlyTheRange(low: Int, high: Int) throws {
        let expression = try Regex("^(?:" + EdgeRegex.decimalRange(low, high) + ")$")
        for number in 0...70_000
        where number % 7 == 0 || number < 1000 || (low - 2...low + 2).contains(number)
            || (high - 2...high + 2).contains(number)
        {
            #expect(("\(number)".wholeMatch(of: expression) != nil) == (low...high).contains(number), "\(number)")
        }
        for padded in ["0\(low)", "00", "+\(low)", " \(low)"] {
            #expect(padded.wholeMatch(of: expression) == nil, "\(padded)")
        }
    }

    @Test func escapeLeavesNoMetacharacterLive() throws {
        let text = #"a.b*c+d?e(f)[g]{h}|i^j$k\l`m"#
        let expression = try Regex("^" + EdgeRegex.escape(text) + "$")
        #expect(text.wholeMatch(of: expression) != nil)
        #expect("aXb*c+d?e(f)[g]{h}|i^j$k\\l`m".wholeMatch(of: expression) == nil)
    }
}
