/// A value of Cedar's `datetime` extension type: a signed number of milliseconds since the Unix epoch
/// (1970-01-01T00:00:00Z), without leap seconds, that fits in 64 bits.
///
/// Semantics follow `cedar-policy-core/src/extensions/datetime.rs` (`DateTime`). Datetimes compare by instant
/// (`<` and friends apply to them directly in Cedar). The operations that can leave the 64-bit range return `nil`,
/// which is Cedar's overflow error.
public struct DatetimeValue: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the epoch; negative before 1970.
    public let millisecondsSinceEpoch: Int64

    /// One day in milliseconds.
    public static let millisecondsPerDay: Int64 = 86_400_000

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// Parses the argument of `datetime(…)` exactly as Cedar does, or returns `nil` where Cedar raises an error.
    ///
    /// Cedar's grammar (`parse_datetime`), ASCII digits only, no spaces, case-sensitive `T` and `Z`:
    /// - `YYYY-MM-DD` (midnight UTC), or
    /// - `YYYY-MM-DDThh:mm:ss` followed by exactly one of `Z`, `.SSSZ`, `±hhmm`, `.SSS±hhmm`.
    ///
    /// Range checks: the year is any four digits (0000…9999, proleptic Gregorian, year 0 exists and is a leap
    /// year); the month 1…12; the day within the month; hours < 24, minutes < 60, seconds < 60 (no leap second
    /// `:60`); milliseconds exactly three digits; an offset's hours < 24 and minutes < 60. An offset gives local
    /// time, so the instant is the written time minus the offset (`…T10:00:00+0100` is 09:00Z).
    public static func parse(_ s: String) -> DatetimeValue? {
        let b = Array(s.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            return ASCII.smallNumber(b[from..<(from + count)])
        }
        func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue }
        guard let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"),
              let day = number(8, 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        if b.count == 10 { return DatetimeValue(millisecondsSinceEpoch: Int64(days) * millisecondsPerDay) }

        guard byte(10, "T"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2), byte(16, ":"),
              let second = number(17, 2) else { return nil }
        var i = 19
        var millis = 0
        if byte(i, ".") {
            guard let m = number(i + 1, 3) else { return nil }
            millis = m
            i += 4
        }
        var offsetSeconds = 0
        if byte(i, "Z") {
            i += 1
        } else if byte(i, "+") || byte(i, "-") {
            let sign = byte(i, "+") ? 1 : -1
            guard let oh = number(i + 1, 2), let om = number(i + 3, 2) else { return nil }
            guard oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
            i += 5
        } else {
            return nil
        }
        guard i == b.count, hour < 24, minute < 60, second < 60 else { return nil }
        let secondsOfDay = hour * 3600 + minute * 60 + second - offsetSeconds
        return DatetimeValue(
            millisecondsSinceEpoch: Int64(days) * millisecondsPerDay + Int64(secondsOfDay) * 1000 + Int64(millis))
    }

    /// Days in a month of the proleptic Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01 (Hinnant's `civil_from_days`).
    static func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func < (a: DatetimeValue, b: DatetimeValue) -> Bool {
        a.millisecondsSinceEpoch < b.millisecondsSinceEpoch
    }

    /// Cedar's `offset(d)`: this instant moved by `d`; `nil` on overflow.
    public func offset(by d: DurationValue) -> DatetimeValue? {
        let (v, o) = millisecondsSinceEpoch.addingReportingOverflow(d.milliseconds)
        return o ? nil : DatetimeValue(millisecondsSinceEpoch: v)
    }

    /// Cedar's `durationSince(other)`: `self − other`; `nil` on overflow.
    public func durationSince(_ other: DatetimeValue) -> DurationValue? {
        let (v, o) = millisecondsSinceEpoch.subtractingReportingOverflow(other.millisecondsSinceEpoch)
        return o ? nil : DurationValue(milliseconds: v)
    }

    /// Cedar's `toDate()`: midnight UTC of this instant's day, rounding toward negative infinity (so before 1970
    /// it goes back to the earlier midnight); `nil` when that midnight is below the 64-bit range.
    public func toDate() -> DatetimeValue? {
        let (v, o) = millisecondsSinceEpoch.subtractingReportingOverflow(timeOfDay)
        return o ? nil : DatetimeValue(millisecondsSinceEpoch: v)
    }

    /// Cedar's `toTime()`: the time since this instant's UTC midnight, always in 0 ..< 1 day, even before 1970.
    public func toTime() -> DurationValue {
        DurationValue(milliseconds: timeOfDay)
    }

    /// The Euclidean remainder of the instant by one day.
    private var timeOfDay: Int64 {
        let r = millisecondsSinceEpoch % Self.millisecondsPerDay
        return r < 0 ? r + Self.millisecondsPerDay : r
    }

    /// ISO 8601 text, `2024-01-02T03:04:05.678Z`, when the year is within 0000…9999 (the range `datetime(…)` can
    /// write); `nil` otherwise.
    public var isoText: String? {
        // Floor division, written so that it cannot overflow at Int64.min.
        let days = millisecondsSinceEpoch / Self.millisecondsPerDay
            - (millisecondsSinceEpoch % Self.millisecondsPerDay < 0 ? 1 : 0)
        let (year, month, day) = Self.civilFromDays(days)
        guard (0...9999).contains(year) else { return nil }
        let t = timeOfDay
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))T"
            + "\(pad(t / 3_600_000, 2)):\(pad(t / 60000 % 60, 2)):\(pad(t / 1000 % 60, 2)).\(pad(t % 1000, 3))Z"
    }

    /// `datetime("2024-01-02T03:04:05.678Z")`, or for instants outside years 0000…9999 the equivalent
    /// `datetime("1970-01-01").offset(duration("…ms"))`.
    public var description: String {
        if let iso = isoText { return "datetime(\"\(iso)\")" }
        return "datetime(\"1970-01-01\").offset(\(DurationValue(milliseconds: millisecondsSinceEpoch)))"
    }
}
