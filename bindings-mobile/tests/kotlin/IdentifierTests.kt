import io.regcore.*

fun identifierTests() {
    Harness.test("parseIdentifier: MPR ID canonical and display forms") {
        val id = parseIdentifier(IdentifierKind.MPR_ID, "０１２３－４５６７-89ab cdef")
        assertEq(IdentifierKind.MPR_ID, id.kind)
        assertEq("0123456789ABCDEF", id.canonical)
        assertEq("0123-4567-89AB-CDEF", id.display)
    }

    Harness.test("parseIdentifier: every kind accepts a valid input") {
        val cases = listOf(
            Triple(IdentifierKind.EMAIL, " Taro.Yamada@Example.CO.JP ", "Taro.Yamada@example.co.jp"),
            Triple(IdentifierKind.DEALER_ID, " Shop_A-1 ", "Shop_A-1"),
            Triple(IdentifierKind.KMS_LOGIN_ID, "abcd1234", "abcd1234"),
            Triple(IdentifierKind.MPR_ID, "0123456789abcdef", "0123456789ABCDEF"),
            Triple(IdentifierKind.ACTIVATION_NUMBER, "fedc-ba98-7654-3210", "FEDCBA9876543210"),
            Triple(IdentifierKind.REGISTRATION_ID, "ab12-cd34", "AB12CD34"),
            Triple(IdentifierKind.UPS_SERIAL, "ｓ１２３-abc", "S123ABC"),
            Triple(IdentifierKind.GATEWAY_ID, "01ab-1234-5678", "01AB12345678"),
            Triple(IdentifierKind.PHONE_NUMBER, "０９０－１２３４－５６７８", "09012345678"),
        )
        for ((kind, input, canonical) in cases) {
            assertEq(canonical, parseIdentifier(kind, input).canonical, "$kind")
        }
        // e-mail keeps the user's case for display, lower-cases the domain for comparison
        assertEq("Taro.Yamada@Example.CO.JP", parseIdentifier(IdentifierKind.EMAIL, " Taro.Yamada@Example.CO.JP ").display)
        assertEq("FEDC-BA98-7654-3210", parseIdentifier(IdentifierKind.ACTIVATION_NUMBER, "fedcba9876543210").display)
    }

    Harness.test("parseIdentifier: rejections carry code, params and both messages") {
        val e = assertThrows<RegcoreException.InvalidInput> {
            parseIdentifier(IdentifierKind.MPR_ID, "0123-4567-89AB-CDEG")
        }
        assertEq(ErrorKind.INVALID_INPUT, e.kind())
        assertEq("identifier.invalid_character", e.code)
        assertEq("identifier.invalid_character", e.code())
        assertEq("G", e.param("character"))
        assertEq("19", e.param("position"))
        assertEq("mpr_id", e.param("kind"))
        assertEq(null, e.param("no_such_param"))
        check(e.message(Lang.JA).contains("19文字目")) { e.message(Lang.JA) }
        assertEq(e.messageJa, e.message(Lang.JA))
        assertEq(e.messageEn, e.message(Lang.EN))
        check(e.messageEn.isNotEmpty())
        val d = e.toDiagnostic()
        assertEq(e.code, d.code)
        assertEq(ErrorKind.INVALID_INPUT, d.kind)
        assertEq(e.params, d.params)
        assertEq("19", d.param("position"))
        assertEq(e.messageJa, d.message(Lang.JA))
    }

    Harness.test("parseIdentifier: each identifier error code reaches Kotlin") {
        val cases = listOf(
            Triple(IdentifierKind.MPR_ID, " - ", "identifier.empty"),
            Triple(IdentifierKind.PHONE_NUMBER, "123-456-789", "identifier.too_short"),
            Triple(IdentifierKind.UPS_SERIAL, "A".repeat(33), "identifier.too_long"),
            Triple(IdentifierKind.DEALER_ID, " ab.c", "identifier.invalid_character"),
            Triple(IdentifierKind.EMAIL, "a@b", "identifier.invalid_email"),
            Triple(IdentifierKind.KMS_LOGIN_ID, "abcd123", "identifier.too_short"),
            Triple(IdentifierKind.REGISTRATION_ID, "AB12CD345", "identifier.too_long"),
            Triple(IdentifierKind.GATEWAY_ID, "01AB1234567", "identifier.too_short"),
            Triple(IdentifierKind.ACTIVATION_NUMBER, "", "identifier.empty"),
        )
        for ((kind, input, code) in cases) {
            val e = assertThrows<RegcoreException> { parseIdentifier(kind, input) }
            assertEq(code, e.code(), "$kind '$input'")
            assertEq(ErrorKind.INVALID_INPUT, e.kind(), code)
        }
        val email = assertThrows<RegcoreException.InvalidInput> { parseIdentifier(IdentifierKind.EMAIL, "a@b") }
        assertEq("domain", email.param("reason"))
        val short = assertThrows<RegcoreException.InvalidInput> { parseIdentifier(IdentifierKind.PHONE_NUMBER, "123-456-789") }
        assertEq(listOf(Param("kind", "phone_number"), Param("min", "10"), Param("actual", "9")), short.params)
    }

    Harness.test("parseIdentifier: hostile strings error, never crash") {
        val inputs = listOf("\u0000", "\uD83D\uDE00".repeat(1000), "ー".repeat(10000), "\uFFFF", "０".repeat(17))
        for (kind in IdentifierKind.values()) {
            for (input in inputs) {
                try {
                    parseIdentifier(kind, input)
                } catch (e: RegcoreException) {
                    check(e.code().startsWith("identifier.")) { e.code() }
                }
            }
        }
    }
}
