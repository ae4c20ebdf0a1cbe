import io.regcore.*

fun errorTests() {
    Harness.test("RegcoreException is a Kotlin exception with a readable message") {
        val e = assertThrows<Exception> { parseIdentifier(IdentifierKind.GATEWAY_ID, "01AB_2345678") }
        check(e is RegcoreException)
        check(e.message!!.contains("identifier.invalid_character")) { e.message!! }
    }

    Harness.test("Diagnostic and Param are value types") {
        val a = Diagnostic("x.y", ErrorKind.INVALID_INPUT, listOf(Param("min", "10")), "en", "ja")
        val b = Diagnostic("x.y", ErrorKind.INVALID_INPUT, listOf(Param("min", "10")), "en", "ja")
        assertEq(a, b)
        assertEq(a.hashCode(), b.hashCode())
        assertEq("10", a.param("min"))
        assertEq("ja", a.message(Lang.JA))
        assertEq("en", a.message(Lang.EN))
    }
}

fun kindTests() {
    Harness.test("the error's variant and kind() are core's kind of the code") {
        val cases: List<Triple<() -> Unit, String, ErrorKind>> = listOf(
            Triple({ parseIdentifier(IdentifierKind.MPR_ID, "") }, "identifier.empty", ErrorKind.INVALID_INPUT),
            Triple({ KeyCode.parse("12") }, "keycode.wrong_length", ErrorKind.INVALID_INPUT),
            Triple({ DeviceKey(ByteArray(31)) }, "keys.device_key_length", ErrorKind.CONFIGURATION),
            Triple({ PasswordPolicy.preset("nope") }, "policy.unknown_preset", ErrorKind.CONFIGURATION),
            Triple({ PasswordPolicy.fromJson("{") }, "binding.malformed_json", ErrorKind.INVALID_INPUT),
            Triple({ decodeLockoutState("x") }, "lockout.malformed_state", ErrorKind.STORED_STATE),
            Triple({ decodeCodeState("x") }, "code.malformed_state", ErrorKind.STORED_STATE),
            Triple({ Secret(ByteArray(1)) }, "secret.too_short", ErrorKind.CONFIGURATION),
            Triple({ peekLink("!") }, "token.malformed", ErrorKind.INVALID_INPUT),
            Triple({ lookupProduct(mapOf(), 1u) }, "activation.unknown_product", ErrorKind.REFUSED),
            Triple({ startSession(java.time.Instant.MAX) }, "time.out_of_range", ErrorKind.INVALID_INPUT),
        )
        for ((call, code, kind) in cases) {
            val e = assertThrows<RegcoreException> { call() }
            assertEq(code, e.code())
            assertEq(kind, e.kind(), code)
            assertEq(kind, e.toDiagnostic().kind, code)
            val variant = when (e) {
                is RegcoreException.InvalidInput -> ErrorKind.INVALID_INPUT
                is RegcoreException.Rejected -> ErrorKind.REJECTED
                is RegcoreException.Locked -> ErrorKind.LOCKED
                is RegcoreException.Expired -> ErrorKind.EXPIRED
                is RegcoreException.Refused -> ErrorKind.REFUSED
                is RegcoreException.StoredState -> ErrorKind.STORED_STATE
                is RegcoreException.Configuration -> ErrorKind.CONFIGURATION
                is RegcoreException.StoreContended -> ErrorKind.STORE_CONTENDED
                is RegcoreException.StoreUnavailable -> ErrorKind.STORE_UNAVAILABLE
                is RegcoreException.Internal -> ErrorKind.INTERNAL
            }
            assertEq(kind, variant, code)
        }
    }

    Harness.test("errorKindName: core's snake_case names, as Python and Node spell them") {
        val names = ErrorKind.values().map { errorKindName(it) }
        assertEq(listOf("invalid_input", "rejected", "locked", "expired", "refused", "stored_state",
            "configuration", "store_contended", "store_unavailable", "internal"), names)
    }
}

fun debugFormTests() {
    Harness.test("objects print their Rust Debug form, secrets redacted") {
        PasswordPolicy.preset("kms").use { check(it.toString().contains("min_length: 8")) { it.toString() } }
        LockoutPolicy.upsSite().use { check(it.toString().contains("threshold: 5")) { it.toString() } }
        Secret(ByteArray(32) { 0x41 }).use { s ->
            Keyring(7u, s).use { k ->
                val text = k.toString()
                check(text.contains("7") && !text.contains("65, 65") && !text.contains("AAAA")) { text }
            }
        }
    }
}
