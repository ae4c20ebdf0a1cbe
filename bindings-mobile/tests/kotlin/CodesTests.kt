import io.regcore.*
import java.time.Duration
import java.time.Instant

private val T0: Instant = Instant.parse("2025-04-01T09:00:00Z")

private fun purposeOf(name: String): CodePurpose = when (name) {
    "sign_up" -> CodePurpose.SIGN_UP
    "email_change" -> CodePurpose.EMAIL_CHANGE
    "password_reset" -> CodePurpose.PASSWORD_RESET
    else -> throw CheckFailed("unknown purpose $name")
}

fun codesTests() {
    Harness.test("vectors: one-time codes (codes.json) through issueCode and verifyCode") {
        val cases = loadVectors("codes.json").obj()["cases"].list().map { it.obj() }
        check(cases.size >= 20)
        for (c in cases) {
            val series = (c["series"] as Long)
            val generation = (c["generation"] as Long)
            val policy = codePolicy(purposeOf(c.str("purpose")))
            Secret(unhex(c.str("secret_hex"))).use { secret ->
                val at = Instant.ofEpochSecond(series)
                val previous = if (generation == 1L) null
                    else CodeState(series.toUInt(), (generation - 1).toUInt(), at, 0u, false)
                val issued = issueCode(policy, secret, c.str("subject"), previous, at)
                assertEq(c.str("code"), issued.code, "code ${c.str("subject")} g$generation")
                assertEq(series.toUInt(), issued.state.series)
                assertEq(generation.toUInt(), issued.state.generation)
                val v = verifyCode(policy, secret, c.str("subject"), issued.code, issued.state, at.plusSeconds(60))
                check(v.accepted && v.rejection == null) { "$v" }
                check(v.state.used)
            }
        }
    }

    Harness.test("codes: policies, wrong/superseded/expired/used/malformed/burned with attempts_left") {
        val policy = codePolicy(CodePurpose.PASSWORD_RESET)
        assertEq(CodePolicy(CodePurpose.PASSWORD_RESET, 3600uL, 5u), policy)
        assertEq(86400uL, codePolicy(CodePurpose.SIGN_UP).lifetimeSecs)
        assertEq(86400uL, codePolicy(CodePurpose.EMAIL_CHANGE).lifetimeSecs)
        Secret(ByteArray(32) { 7 }).use { secret ->
            val first = issueCode(policy, secret, "user-42", null, T0)
            val second = issueCode(policy, secret, "user-42", first.state, T0.plusSeconds(10))
            assertEq(first.state.generation + 1u, second.state.generation)
            check(Regex("[0-9]{6}").matches(second.code))

            val old = verifyCode(policy, secret, "user-42", first.code, second.state, T0.plusSeconds(20))
            check(!old.accepted)
            if (first.code != second.code) {
                assertEq("code.superseded", old.rejection!!.code)
                assertEq(ErrorKind.EXPIRED, old.rejection!!.kind)
                assertEq("4", old.rejection!!.param("attempts_left"))
            }
            assertEq(1u, old.state.attempts)

            val wrongDigits = ((second.code.toInt() + 1) % 1_000_000).toString().padStart(6, '0')
            var state = second.state
            for (left in 4 downTo 0) {
                val v = verifyCode(policy, secret, "user-42", wrongDigits, state, T0.plusSeconds(30))
                check(!v.accepted)
                state = v.state
                if (left == 4) {
                    assertEq("code.wrong", v.rejection!!.code)
                    assertEq(ErrorKind.REJECTED, v.rejection!!.kind)
                    assertEq("4", v.rejection!!.param("attempts_left"))
                    check(v.rejection!!.messageJa.contains("4")) { v.rejection!!.messageJa }
                }
            }
            val burned = verifyCode(policy, secret, "user-42", second.code, state, T0.plusSeconds(40))
            assertEq("code.too_many_attempts", burned.rejection!!.code)
            assertEq(ErrorKind.LOCKED, burned.rejection!!.kind)

            val expired = verifyCode(policy, secret, "user-42", second.code, second.state, T0.plusSeconds(10 + 3600))
            assertEq("code.expired", expired.rejection!!.code)
            assertEq(T0.plusSeconds(10 + 3600), codeExpiresAt(policy, second.state))

            val malformed = verifyCode(policy, secret, "user-42", "12a", second.state, T0.plusSeconds(20))
            assertEq("code.malformed", malformed.rejection!!.code)
            assertEq(second.state, malformed.state)

            val fullwidth = second.code.map { (it.code - '0'.code + '０'.code).toChar() }.joinToString("")
            val ok = verifyCode(policy, secret, "user-42", fullwidth.substring(0, 3) + "－" + fullwidth.substring(3), second.state, T0.plusSeconds(20))
            check(ok.accepted) { "full-width code refused: ${ok.rejection}" }
            val again = verifyCode(policy, secret, "user-42", second.code, ok.state, T0.plusSeconds(21))
            assertEq("code.already_used", again.rejection!!.code)

            assertEq(second.state, decodeCodeState(encodeCodeState(second.state)))
            check(encodeCodeState(second.state).startsWith("c1."))
        }
        assertEq("code.malformed_state", assertThrows<RegcoreException.StoredState> { decodeCodeState("c9.x") }.code())
        val short = assertThrows<RegcoreException.Configuration> { Secret(ByteArray(31)) }
        assertEq("secret.too_short", short.code())
        assertEq("32", short.param("min"))
        assertEq("31", short.param("actual"))
        Secret(ByteArray(32)).use { check(it.toString().contains("redacted")) { it.toString() } }
    }

    Harness.test("vectors: signed links (tokens.json) issue, verify, peek, phone completion") {
        val doc = loadVectors("tokens.json").obj()
        val secrets = doc["keys"].list().map { it.obj() }
            .associate { (it["key_id"] as Long).toUInt() to unhex(it.str("secret_hex")) }
        val cases = doc["cases"].list().map { it.obj() }
        check(cases.size >= 20)
        for (c in cases) {
            val keyId = (c["key_id"] as Long).toUInt()
            val policy = LinkPolicy(c.str("purpose"), (c["lifetime_secs"] as Long).toULong())
            val generation = (c["generation"] as Long).toUInt()
            val binding = unhex(c.str("binding_hex"))
            val issuedAt = Instant.ofEpochSecond(c["issued_at"] as Long)
            val phone = c["phone"] as String?
            Secret(secrets.getValue(keyId)).use { secret ->
                Keyring(keyId, secret).use { ring ->
                    val token = if (phone == null) issueLink(policy, ring, c.str("subject"), generation, binding, issuedAt)
                        else issueProvisionalRegistrationLink(policy, ring, c.str("subject"), phone, generation, binding, issuedAt)
                    assertEq(c.str("token"), token, "token ${c.str("purpose")}/$keyId")
                    val claims = peekLink(token)
                    assertEq(c.str("subject"), claims.subject)
                    assertEq(c.str("purpose"), claims.purpose)
                    assertEq(issuedAt, claims.issuedAt)
                    assertEq(keyId, claims.keyId)
                    assertEq(generation, claims.generation)
                    assertEq(phone != null, claims.requiresPhone)
                    val verified = if (phone == null) verifyLink(policy, ring, token, generation, binding, issuedAt.plusSeconds(1))
                        else completeProvisionalRegistration(policy, ring, token, phone, generation, binding, issuedAt.plusSeconds(1))
                    assertEq(claims, verified)
                }
            }
        }
    }

    Harness.test("links: expired, superseded, invalid, malformed, phone mismatch, key rotation") {
        val policy = passwordResetLinkPolicy()
        assertEq(LinkPolicy("password_reset", 3600uL), policy)
        assertEq(259200uL, provisionalRegistrationLinkPolicy().lifetimeSecs)
        Secret(ByteArray(32) { 9 }).use { s1 -> Secret(ByteArray(32) { 5 }).use { s2 ->
            val ring = Keyring(1u, s1)
            assertEq(1u, ring.currentKeyId())
            val hash = "argon2-hash-v1".toByteArray()
            val token = issueLink(policy, ring, "user-42", 3u, hash, T0)
            assertEq("user-42", verifyLink(policy, ring, token, 3u, hash, T0.plusSeconds(600)).subject)
            fun rejected(block: () -> Unit): RegcoreException = assertThrows<RegcoreException>(block)
            val expired = rejected { verifyLink(policy, ring, token, 3u, hash, T0.plusSeconds(3600)) }
            assertEq("token.expired", expired.code())
            check(expired is RegcoreException.Expired) { "$expired" }
            check(expired.param("expired_at")!!.startsWith("2025-04-01 10:00:00")) { expired.param("expired_at")!! }
            val superseded = rejected { verifyLink(policy, ring, token, 4u, hash, T0) }
            assertEq("token.superseded", superseded.code())
            assertEq(ErrorKind.EXPIRED, superseded.kind())
            val changed = rejected { verifyLink(policy, ring, token, 3u, "new-hash".toByteArray(), T0) }
            assertEq("token.invalid", changed.code())
            check(changed is RegcoreException.Rejected) { "$changed" }
            assertEq("bad_signature", changed.param("reason"))
            assertEq("wrong_purpose", rejected { verifyLink(provisionalRegistrationLinkPolicy(), ring, token, 3u, hash, T0) }.param("reason"))
            for (garbage in listOf("", "!!!", token.dropLast(3), "A".repeat(5000))) {
                assertEq("token.malformed", rejected { verifyLink(policy, ring, garbage, 3u, hash, T0) }.code())
                assertEq(ErrorKind.INVALID_INPUT, rejected { peekLink(garbage) }.kind())
                assertEq("token.malformed", rejected { peekLink(garbage) }.code())
            }
            // rotation: new key signs, old key still verifies
            val rotated = ring.withKey(2u, s2).rotateTo(2u)
            assertEq(2u, rotated.currentKeyId())
            assertEq(2u, peekLink(issueLink(policy, rotated, "user-42", 3u, hash, T0)).keyId)
            verifyLink(policy, rotated, token, 3u, hash, T0)
            assertEq("unknown_key", rejected { ring.rotateTo(9u) }.param("reason"))
            assertEq("unknown_key", rejected { verifyLink(policy, Keyring(2u, s2), token, 3u, hash, T0) }.param("reason"))
            assertEq("token.claim_too_long", rejected { issueLink(policy, ring, "x".repeat(256), 0u, ByteArray(0), T0) }.code())

            val reg = provisionalRegistrationLinkPolicy()
            val link = issueProvisionalRegistrationLink(reg, ring, "application-9", "090-1234-5678", 1u, ByteArray(0), T0)
            val claims = completeProvisionalRegistration(reg, ring, link, "０９０１２３４５６７８", 1u, ByteArray(0), T0.plusSeconds(60))
            check(claims.requiresPhone)
            assertEq(T0.plusSeconds(259200), claims.expiresAt)
            val mismatch = rejected {
                completeProvisionalRegistration(reg, ring, link, "090-1234-5679", 1u, ByteArray(0), T0)
            }
            assertEq("token.phone_mismatch", mismatch.code())
            assertEq(ErrorKind.REJECTED, mismatch.kind())
            assertEq("phone_required", rejected { verifyLink(reg, ring, link, 1u, ByteArray(0), T0) }.param("reason"))
            val badPhone = assertThrows<RegcoreException.InvalidInput> {
                completeProvisionalRegistration(reg, ring, link, "12", 1u, ByteArray(0), T0)
            }
            assertEq("identifier.too_short", badPhone.code())
        } }
    }

    Harness.test("sessions: idle timeout, absolute cap, renewal") {
        val ups = upsSiteSessionPolicy()
        assertEq(SessionPolicy(1800uL, null), ups)
        val s = startSession(T0)
        assertEq(SessionState(T0, T0), s)
        val active = touchSession(ups, s, T0.plus(Duration.ofMinutes(29)))
        check(active is SessionStatus.Active) { "$active" }
        val renewed = (active as SessionStatus.Active).state
        assertEq(T0.plus(Duration.ofMinutes(29)), renewed.lastSeen)
        assertEq(SessionStatus.IdleExpired, touchSession(ups, s, T0.plus(Duration.ofMinutes(30))))
        check(touchSession(ups, renewed, T0.plus(Duration.ofMinutes(58))) is SessionStatus.Active)
        val capped = SessionPolicy(1800uL, 3600uL)
        var st = s
        for (m in listOf(20L, 40L, 59L)) {
            st = (touchSession(capped, st, T0.plus(Duration.ofMinutes(m))) as SessionStatus.Active).state
        }
        assertEq(SessionStatus.AbsoluteExpired, touchSession(capped, st, T0.plus(Duration.ofMinutes(60))))
    }
}
