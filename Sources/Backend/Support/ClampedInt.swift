extension Double {
    /// The nearest whole number an `Int` holds: a reported value may be any finite double (1e300),
    /// and `Int(_:)` traps on one that does not fit.
    var clampedInt: Int {
        guard isFinite else { return 0 }
        return Int(Swift.max(Swift.min(rounded(), 9.2e18), -9.2e18))
    }
}
