import io.regcore.*

fun errorTests() {
    Harness.test("RegcoreException is a Kotlin exception with a readable message") {
        val e = assertThrows<Exception> { parseIdentifier(IdentifierKind.GATEWAY_ID, "01AB_2345678") }
        check(e is RegcoreException)
        check(e.message!!.contains("identifier.invalid_character")) { e.message!! }
    }

    Harness.test("Diagnostic and Param are value types") {
        val a = Diagnostic("x.y", listOf(Param("min", "10")), "en", "ja")
        val b = Diagnostic("x.y", listOf(Param("min", "10")), "en", "ja")
        assertEq(a, b)
        assertEq(a.hashCode(), b.hashCode())
        assertEq("10", a.param("min"))
        assertEq("ja", a.message(Lang.JA))
        assertEq("en", a.message(Lang.EN))
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
