/// Small byte-level helpers shared by the extension-value parsers, which all work on UTF-8 bytes: every accepted
/// string is ASCII, so any other byte simply fails to match.
enum ASCII {
    /// The value of a decimal digit byte, or `nil`.
    @inline(__always)
    static func digit(_ b: UInt8) -> UInt8? {
        b >= 0x30 && b <= 0x39 ? b &- 0x30 : nil
    }

    /// The value of a hexadecimal digit byte (either case), or `nil`.
    @inline(__always)
    static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b &- 0x30
        case 0x41...0x46: return b &- 0x41 &+ 10
        case 0x61...0x66: return b &- 0x61 &+ 10
        default: return nil
        }
    }

    /// `true` when every byte is a decimal digit (and there is at least one).
    static func allDigits(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { digit($0) != nil }
    }

    /// The unsigned value of a run of decimal digits, or `nil` when it is empty, holds a non-digit or does not fit
    /// in 64 bits (Rust's `u64::from_str` on digits only).
    static func uint64(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var v: UInt64 = 0
        for b in bytes {
            guard let d = digit(b) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    /// The value of a fixed-width run of decimal digits that cannot overflow (at most 9 digits).
    static func smallNumber(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var v = 0
        for b in bytes {
            guard let d = digit(b) else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
}
