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
