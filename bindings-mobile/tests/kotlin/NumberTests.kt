import io.regcore.*
import java.time.Instant

// Every numeric parameter of the public API, at and past its limits.
//
// Kotlin's unsigned types are exact at the boundary: the generated code
// passes a UShort/UInt/ULong's bits unchanged and Rust reads the same u16/
// u32/u64, so -1, 2^32 and 2^64 cannot even be written as such an argument
// (`(-1).toUInt()` is the caller's own conversion). What can be out of
// range is a value the type holds but core does not take — a key code
// above 1023, a lock longer than a java.time.Duration, an Instant outside
// chrono's years -262143..262142 — and each of those must be a coded error
// of kind invalid input, never a wrapped, clamped or default value. Every
// other numeric parameter takes its type's whole range, and its maximum
// must come back as itself.

private val T0: Instant = Instant.parse("2025-04-01T09:00:00Z")
private val CHRONO_MAX: Instant = Instant.parse("+262142-12-31T23:59:59.999999999Z")
private val CHRONO_MIN: Instant = Instant.parse("-262143-01-01T00:00:00Z")

/** The first instants outside core's range, and the Instant type's own ends. */
private val OUT_OF_RANGE: List<Instant> =
    listOf(CHRONO_MAX.plusNanos(1), CHRONO_MIN.minusNanos(1), Instant.MAX, Instant.MIN)

private fun invalidInput(what: String, code: String, call: () -> Unit): RegcoreException {
    val e = assertThrows<RegcoreException> { call() }
    check(e is RegcoreException.InvalidInput) { "$what: expected InvalidInput, got $e" }
    assertEq(ErrorKind.INVALID_INPUT, e.kind(), what)
    assertEq(code, e.code(), what)
    check(e.message(Lang.EN).isNotEmpty() && e.message(Lang.JA).isNotEmpty()) { what }
    return e
}

fun numberTests() {
    Harness.test("numbers: KeyCode.fromValue takes 0..1023; 1024 and UShort.MAX are keycode.out_of_range") {
        assertEq(0.toUShort(), KeyCode.fromValue(0u).value())
        assertEq(1023.toUShort(), KeyCode.fromValue(1023u).value())
        for (v in listOf(1024, 65535)) {
            val e = invalidInput("fromValue($v)", "keycode.out_of_range") { KeyCode.fromValue(v.toUShort()) }
            assertEq(v.toString(), e.param("value"))
        }
    }

    Harness.test("numbers: LockoutPolicy.fixed lockSecs up to 2^63-1; 2^63 and 2^64-1 are binding.integer_out_of_range") {
        LockoutPolicy.fixed(UInt.MAX_VALUE, Long.MAX_VALUE.toULong()).use { p ->
            assertEq(java.time.Duration.ofSeconds(Long.MAX_VALUE), p.lockDuration(UInt.MAX_VALUE))
            assertEq(java.time.Duration.ZERO, p.lockDuration(UInt.MAX_VALUE - 1u))
        }
        for (v in listOf(Long.MAX_VALUE.toULong() + 1uL, ULong.MAX_VALUE)) {
            val e = invalidInput("fixed(lockSecs=$v)", "binding.integer_out_of_range") { LockoutPolicy.fixed(5u, v) }
            assertEq("lock_secs", e.param("name"))
            assertEq("0", e.param("min"))
            assertEq(Long.MAX_VALUE.toString(), e.param("max"))
        }
        // The same bound on a policy read from JSON.
        val json = LockoutPolicy.fixed(5u, 60uL).use { it.toJson() }
        check(json.contains("\"max_lock_secs\":60")) { json }
        val huge = json.replace("\"max_lock_secs\":60", "\"max_lock_secs\":${ULong.MAX_VALUE}")
        assertEq("max_lock_secs", invalidInput("fromJson(max_lock_secs=2^64-1)", "binding.integer_out_of_range") {
            LockoutPolicy.fromJson(huge)
        }.param("name"))
        // A number beyond u64 in the JSON is malformed JSON, not a wrapped value.
        val beyond = json.replace("\"max_lock_secs\":60", "\"max_lock_secs\":18446744073709551616")
        invalidInput("fromJson(max_lock_secs=2^64)", "binding.malformed_json") { LockoutPolicy.fromJson(beyond) }
        val negative = json.replace("\"max_lock_secs\":60", "\"max_lock_secs\":-1")
        invalidInput("fromJson(max_lock_secs=-1)", "binding.malformed_json") { LockoutPolicy.fromJson(negative) }
    }

    Harness.test("numbers: UInt/ULong/UShort parameters take their whole range, never wrapped") {
        // LockoutState.failures and lockDuration(failures): saturate at UInt.MAX.
        LockoutPolicy.upsSite().use { p ->
            assertEq(java.time.Duration.ofSeconds(900), p.lockDuration(UInt.MAX_VALUE))
            val s = LockoutState(UInt.MAX_VALUE, null, null)
            assertEq(UInt.MAX_VALUE, p.recordFailure(s, T0).failures)
            assertEq(s, decodeLockoutState(encodeLockoutState(s)))
            assertEq(s, lockoutStateFromBytes(lockoutStateToBytes(s)))
        }
        // LockoutPolicy.fixed threshold.
        LockoutPolicy.fixed(UInt.MAX_VALUE, 1uL).use { assertEq(java.time.Duration.ZERO, it.lockDuration(UInt.MAX_VALUE - 1u)) }
        // CodePolicy.lifetimeSecs / maxAttempts and CodeState.series / generation / attempts.
        Secret(ByteArray(32) { 1 }).use { secret ->
            val forever = CodePolicy(CodePurpose.SIGN_UP, ULong.MAX_VALUE, UInt.MAX_VALUE)
            val issued = issueCode(forever, secret, "u", null, T0)
            assertEq(CHRONO_MAX, codeExpiresAt(forever, issued.state))   // never expires: the end of time, not a wrapped lifetime
            check(verifyCode(forever, secret, "u", issued.code, issued.state, T0.plusSeconds(86_400L * 365 * 1000)).accepted)
            val top = CodeState(UInt.MAX_VALUE, UInt.MAX_VALUE, T0, UInt.MAX_VALUE, false)
            assertEq(top, decodeCodeState(encodeCodeState(top)))
            // The next issue after the last generation starts a new series at 1, never wraps to 0.
            val next = issueCode(forever, secret, "u", top, T0)
            assertEq(1u, next.state.generation)
            assertEq("code.too_many_attempts", verifyCode(forever, secret, "u", "000000", top, T0).rejection!!.code)
            // Keyring key ids, link generations and LinkPolicy.lifetimeSecs.
            Keyring(UInt.MAX_VALUE, secret).use { ring ->
                assertEq(UInt.MAX_VALUE, ring.currentKeyId())
                val rotated = ring.withKey(0u, secret).rotateTo(0u)
                assertEq(0u, rotated.currentKeyId())
                val link = LinkPolicy("p", ULong.MAX_VALUE)
                val token = issueLink(link, ring, "s", UInt.MAX_VALUE, ByteArray(0), T0)
                val claims = verifyLink(link, ring, token, UInt.MAX_VALUE, ByteArray(0), T0.plusSeconds(1))
                assertEq(UInt.MAX_VALUE, claims.generation)
                assertEq(UInt.MAX_VALUE, claims.keyId)
                assertEq(CHRONO_MAX.minusNanos(999_999_999), claims.expiresAt)
                val reg = provisionalRegistrationLinkPolicy()
                val phoneLink = issueProvisionalRegistrationLink(reg, ring, "s", "09012345678", UInt.MAX_VALUE, ByteArray(0), T0)
                assertEq(UInt.MAX_VALUE, completeProvisionalRegistration(reg, ring, phoneLink, "09012345678", UInt.MAX_VALUE, ByteArray(0), T0).generation)
            }
        }
        // SessionPolicy timeouts.
        val endless = SessionPolicy(ULong.MAX_VALUE, ULong.MAX_VALUE)
        check(touchSession(endless, startSession(T0), T0.plusSeconds(86_400L * 365 * 1000)) is SessionStatus.Active)
        // lookupProduct: UShort keys and code.
        val catalogue = mapOf(UShort.MAX_VALUE to Product("M", "T", false))
        assertEq("M", lookupProduct(catalogue, UShort.MAX_VALUE).model)
        assertEq("FFFF", assertThrows<RegcoreException.Refused> { lookupProduct(mapOf(), UShort.MAX_VALUE) }.param("product"))
    }

    Harness.test("numbers: every Instant parameter outside core's range is time.out_of_range") {
        // The last instants inside the range are taken exactly.
        assertEq(SessionState(CHRONO_MAX, CHRONO_MAX), startSession(CHRONO_MAX))
        assertEq(SessionState(CHRONO_MIN, CHRONO_MIN), startSession(CHRONO_MIN))
        val code = codePolicy(CodePurpose.SIGN_UP)
        val link = passwordResetLinkPolicy()
        Secret(ByteArray(32) { 2 }).use { secret -> Keyring(1u, secret).use { ring ->
            LockoutPolicy.upsSite().use { lockout -> PasswordPolicy.preset("ups_site").use { pw ->
                val state = issueCode(code, secret, "u", null, T0).state
                val token = issueLink(link, ring, "s", 1u, ByteArray(0), T0)
                val reg = provisionalRegistrationLinkPolicy()
                val phoneLink = issueProvisionalRegistrationLink(reg, ring, "s", "09012345678", 1u, ByteArray(0), T0)
                val admission = (lockout.attempt(LockoutState(), T0) as AttemptResult.Proceed).admission
                val success = admission.success()
                for (t in OUT_OF_RANGE) {
                    val calls: List<Pair<String, () -> Unit>> = listOf(
                        "passwordAge(changedAt)" to { pw.passwordAge(t, T0) },
                        "passwordAge(now)" to { pw.passwordAge(T0, t) },
                        "LockoutPolicy.check(now)" to { lockout.check(LockoutState(), t) },
                        "LockoutPolicy.attempt(now)" to { lockout.attempt(LockoutState(), t) },
                        "LockoutPolicy.recordFailure(now)" to { lockout.recordFailure(LockoutState(), t) },
                        "LockoutPolicy.recordSuccess(now)" to { lockout.recordSuccess(LockoutState(), t) },
                        "LockoutState.lockedUntil" to { lockout.check(LockoutState(1u, t, T0), T0) },
                        "LockoutState.lastAttempt" to { lockout.check(LockoutState(1u, null, t), T0) },
                        "LockoutPolicy.attempt(state)" to { lockout.attempt(LockoutState(1u, t, null), T0) },
                        "LockoutSuccess.apply(current)" to { success.apply(LockoutState(0u, null, t)) },
                        "encodeLockoutState" to { encodeLockoutState(LockoutState(1u, null, t)) },
                        "lockoutStateToBytes" to { lockoutStateToBytes(LockoutState(1u, t, null)) },
                        "issueCode(now)" to { issueCode(code, secret, "u", null, t) },
                        "issueCode(previous.issuedAt)" to { issueCode(code, secret, "u", state.copy(issuedAt = t), T0) },
                        "verifyCode(now)" to { verifyCode(code, secret, "u", "000000", state, t) },
                        "verifyCode(state.issuedAt)" to { verifyCode(code, secret, "u", "000000", state.copy(issuedAt = t), T0) },
                        "codeExpiresAt(state.issuedAt)" to { codeExpiresAt(code, state.copy(issuedAt = t)) },
                        "encodeCodeState(issuedAt)" to { encodeCodeState(state.copy(issuedAt = t)) },
                        "issueLink(now)" to { issueLink(link, ring, "s", 1u, ByteArray(0), t) },
                        "verifyLink(now)" to { verifyLink(link, ring, token, 1u, ByteArray(0), t) },
                        "issueProvisionalRegistrationLink(now)" to {
                            issueProvisionalRegistrationLink(reg, ring, "s", "09012345678", 1u, ByteArray(0), t)
                        },
                        "completeProvisionalRegistration(now)" to {
                            completeProvisionalRegistration(reg, ring, phoneLink, "09012345678", 1u, ByteArray(0), t)
                        },
                        "startSession(now)" to { startSession(t) },
                        "touchSession(now)" to { touchSession(upsSiteSessionPolicy(), SessionState(T0, T0), t) },
                        "touchSession(state.startedAt)" to { touchSession(upsSiteSessionPolicy(), SessionState(t, T0), T0) },
                        "touchSession(state.lastSeen)" to { touchSession(upsSiteSessionPolicy(), SessionState(T0, t), T0) },
                    )
                    for ((what, call) in calls) invalidInput("$what = $t", "time.out_of_range", call)
                }
            } }
        } }
    }
}
