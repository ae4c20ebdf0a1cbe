import io.regcore.*
import java.time.Duration
import java.time.Instant

private val T0: Instant = Instant.parse("2025-04-01T09:00:00Z")

fun lockoutTests() {
    Harness.test("LockoutPolicy.upsSite: lock lengths through the boundary") {
        LockoutPolicy.upsSite().use { p ->
            assertEq(Duration.ZERO, p.lockDuration(4u))
            assertEq(Duration.ofSeconds(1), p.lockDuration(5u))
            assertEq(Duration.ofSeconds(512), p.lockDuration(14u))
            assertEq(Duration.ofSeconds(900), p.lockDuration(15u))
            assertEq(Duration.ofSeconds(900), p.lockDuration(UInt.MAX_VALUE))
        }
    }

    Harness.test("LockoutPolicy: record failures, check, locked decision with en/ja message") {
        LockoutPolicy.upsSite().use { p ->
            var s = LockoutState()
            repeat(5) { s = p.recordFailure(s, T0) }
            assertEq(5u, s.failures)
            assertEq(T0.plusSeconds(1), s.lockedUntil)
            assertEq(T0, s.lastAttempt)
            val d = p.check(s, T0.plusMillis(400))
            check(d is LockoutDecision.Locked) { "$d" }
            val lock = (d as LockoutDecision.Locked).lock
            assertEq(Duration.ofMillis(600), lock.retryAfter)
            assertEq(1uL, lock.retryAfterSecs)
            assertEq(T0.plusSeconds(1), lock.until)
            assertEq("lockout.locked", lock.message.code)
            assertEq("1", lock.message.param("retry_after_secs"))
            check(lock.message.messageJa.contains("1秒")) { lock.message.messageJa }
            // refused attempts do not count
            assertEq(s, p.recordFailure(s, T0.plusMillis(500)))
            assertEq(s, p.recordSuccess(s, T0.plusMillis(500)))
            assertEq(LockoutDecision.Allowed, p.check(s, T0.plusSeconds(1)))
            val reset = p.recordSuccess(s, T0.plusSeconds(2))
            assertEq(LockoutState(0u, null, T0.plusSeconds(2)), reset)
        }
    }

    Harness.test("LockoutPolicy.attempt: proceed/refused, attempt records the outcome") {
        LockoutPolicy.deviceEntry().use { p ->
            var s = LockoutState()
            for (i in 1..3) {
                val r = p.attempt(s, T0)
                check(r is AttemptResult.Proceed) { "attempt $i: $r" }
                s = (r as AttemptResult.Proceed).admission.use { it.failure() }
            }
            assertEq(3u, s.failures)
            assertEq(T0.plusSeconds(30), s.lockedUntil)
            val refused = p.attempt(s, T0.plusSeconds(10))
            check(refused is AttemptResult.Refused) { "$refused" }
            refused as AttemptResult.Refused
            assertEq(20uL, refused.lock.retryAfterSecs)
            assertEq(null, refused.newState)
            val later = p.attempt(s, T0.plusSeconds(30)) as AttemptResult.Proceed
            val ok = later.admission.use { it.succeeded() }
            assertEq(0u, ok.failures)
        }
    }

    Harness.test("LockoutPolicy: other presets and fixed(); clock going backwards never unlocks") {
        LockoutPolicy.aspnetIdentity().use { assertEq(Duration.ofMinutes(5), it.lockDuration(5u)) }
        LockoutPolicy.devise().use { assertEq(Duration.ofHours(1), it.lockDuration(20u)); assertEq(Duration.ZERO, it.lockDuration(19u)) }
        LockoutPolicy.keycloak().use { assertEq(Duration.ofSeconds(60), it.lockDuration(30u)) }
        LockoutPolicy.fixed(2u, 7uL).use { p ->
            assertEq(Duration.ofSeconds(7), p.lockDuration(2u))
            var s = LockoutState()
            repeat(2) { s = p.recordFailure(s, T0) }
            // the clock jumps back an hour: still locked for the remaining time
            val d = p.check(s, T0.minusSeconds(3600))
            check(d is LockoutDecision.Locked) { "$d" }
            assertEq(7uL, (d as LockoutDecision.Locked).lock.retryAfterSecs)
        }
    }

    Harness.test("LockoutPolicy JSON round trip and validation errors") {
        val json = LockoutPolicy.upsSite().use { it.toJson() }
        LockoutPolicy.fromJson(json).use { back -> LockoutPolicy.upsSite().use { check(back == it) } }
        check(LockoutPolicy.upsSite() != LockoutPolicy.deviceEntry())
        val malformed = assertThrows<RegcoreException.InvalidInput> { LockoutPolicy.fromJson("[]") }
        assertEq("binding.malformed_json", malformed.code())
        assertEq("lockout_policy", malformed.param("what"))
        val zero = json.replace("\"threshold\":5", "\"threshold\":0")
        check(zero != json)
        val e = assertThrows<RegcoreException.Configuration> { LockoutPolicy.fromJson(zero) }
        assertEq("lockout.invalid_policy", e.code())
        check(e.param("reason") != null)
    }

    Harness.test("Lockout state: string and byte encodings round trip; garbage is kind stored state") {
        LockoutPolicy.upsSite().use { p ->
            var s = LockoutState()
            repeat(6) { i -> s = p.recordFailure(s, T0.plusSeconds(10L * i)) }
            val text = encodeLockoutState(s)
            check(text.startsWith("l1.6.")) { text }
            assertEq(s, decodeLockoutState(text))
            assertEq(s, lockoutStateFromBytes(lockoutStateToBytes(s)))
            assertEq("l1.0..", encodeLockoutState(LockoutState()))
        }
        for (bad in listOf("", "l1", "l2.1..", "l1.x..", "l1.1.2.3.4", "\u0000", "l1.99999999999..")) {
            val e = assertThrows<RegcoreException.StoredState> { decodeLockoutState(bad) }
            assertEq("lockout.malformed_state", e.code(), "'$bad'")
        }
        assertEq("lockout.malformed_state", assertThrows<RegcoreException.StoredState> { lockoutStateFromBytes(byteArrayOf(9, 9)) }.code())
        assertEq("time.out_of_range", assertThrows<RegcoreException.InvalidInput> {
            encodeLockoutState(LockoutState(1u, Instant.MAX, null))
        }.code())
    }

    Harness.test("LockoutPolicy.attempt: one settle only; the second is lockout.admission_used") {
        LockoutPolicy.deviceEntry().use { p ->
            val r = p.attempt(LockoutState(), T0) as AttemptResult.Proceed
            val failed = r.admission.failure()
            assertEq(1u, failed.failures)
            for (again in listOf({ r.admission.failure() }, { r.admission.succeeded() }, { r.admission.success() })) {
                val e = assertThrows<RegcoreException.InvalidInput> { again() }
                assertEq("lockout.admission_used", e.code())
                check(e.messageJa.isNotEmpty() && e.messageEn.isNotEmpty())
            }
        }
    }

    Harness.test("LockoutPolicy.attempt on shared state: the failure is counted before the check; settle once") {
        LockoutPolicy.upsSite().use { p ->
            var stored = LockoutState()
            // Four wrong passwords: each admission's state is what a store writes first.
            repeat(4) { i ->
                val r = p.attempt(stored, T0.plusSeconds(i.toLong()))
                check(r is AttemptResult.Proceed) { "$r" }
                val a = (r as AttemptResult.Proceed).admission
                assertEq(stored, a.previous())
                assertEq(i.toUInt() + 1u, a.state().failures)
                assertEq(T0.plusSeconds(i.toLong()), a.admittedAt())
                stored = a.state()                  // written before the password check
                assertEq(stored, a.failure())       // wrong password: nothing more to write
                assertEq("lockout.admission_used", assertThrows<RegcoreException.InvalidInput> { a.success() }.code())
            }
            // Two concurrent attempts: both admitted from the same state would
            // race on compare-and-set; the store admits the second from the first's state.
            val first = (p.attempt(stored, T0.plusSeconds(10)) as AttemptResult.Proceed).admission
            assertEq(5u, first.state().failures)
            val second = p.attempt(first.state(), T0.plusSeconds(10))
            check(second is AttemptResult.Refused) { "$second" }
            second as AttemptResult.Refused
            assertEq("lockout.locked", second.lock.message.code)
            assertEq(ErrorKind.LOCKED, second.lock.message.kind)
            assertEq(null, second.newState)
            // The first one's password was right: apply to whatever is current.
            val success = first.success()
            val current = first.state()
            val reset = success.apply(current)
            assertEq(LockoutState(0u, null, T0.plusSeconds(10)), reset)
            assertEq(reset, success.apply(current))   // a compare-and-set retry may apply again
            assertEq("lockout.admission_used", assertThrows<RegcoreException> { first.failure() }.code())
            assertEq("lockout.admission_used", assertThrows<RegcoreException> { first.success() }.code())
        }
    }

    Harness.test("LockoutPolicy.attempt settled by one writer writes the states of recordFailure/recordSuccess") {
        LockoutPolicy.upsSite().use { p ->
            var viaRecord = LockoutState()
            var viaAdmission = LockoutState()
            val outcomes = listOf(false, false, true, false, false, false, false, false, true)
            for ((i, ok) in outcomes.withIndex()) {
                val now = T0.plusSeconds(i.toLong() * 3)
                val attempt = p.attempt(viaAdmission, now)
                if (attempt is AttemptResult.Refused) {
                    check(p.check(viaRecord, now) is LockoutDecision.Locked) { "step $i" }
                    continue
                }
                val admission = (attempt as AttemptResult.Proceed).admission
                viaRecord = if (ok) p.recordSuccess(viaRecord, now) else p.recordFailure(viaRecord, now)
                viaAdmission = if (ok) admission.succeeded() else admission.failure()
                assertEq(viaRecord, viaAdmission, "step $i")
            }
        }
    }

    Harness.test("LockoutPolicy.fixed validates: threshold 0 is lockout.invalid_policy") {
        val e = assertThrows<RegcoreException.Configuration> { LockoutPolicy.fixed(0u, 60uL) }
        assertEq("lockout.invalid_policy", e.code())
        assertEq("threshold_zero", e.param("reason"))
        assertEq("cap_zero", assertThrows<RegcoreException.Configuration> { LockoutPolicy.fixed(3u, 0uL) }.param("reason"))
    }
}
