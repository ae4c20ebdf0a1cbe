import io.regcore.*
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

// Device keys for the golden vectors are derived here with the JDK's own
// HMAC-SHA256, straight from docs/algorithms.md §2.2, because the mobile API
// deliberately has no master secret. This is test scaffolding, not a second
// implementation in the binding: it is anchored on the vectors' exported
// device keys first, then every device-side check goes through regcore.

private fun hmac(key: ByteArray, vararg parts: ByteArray): ByteArray {
    val mac = Mac.getInstance("HmacSHA256")
    mac.init(SecretKeySpec(key, "HmacSHA256"))
    parts.forEach { mac.update(it) }
    return mac.doFinal()
}

private class Masters(vectors: Map<String, Any?>) {
    private val real = vectors["masters"].obj().mapValues { unhex(it.value.obj().str("hex")) }
    fun get(name: String, demo: Boolean): ByteArray {
        val m = real[name] ?: throw CheckFailed("unknown master $name")
        return if (demo) hmac(m, "regcore/v1/demo-master".toByteArray()) else m
    }
}

private fun kindByte(kind: String): Byte = when (kind) {
    "ups" -> 1; "gateway" -> 2; "terminal" -> 3; "activation" -> 4
    else -> throw CheckFailed("unknown device kind $kind")
}

private fun deviceKeyBytes(master: ByteArray, kind: String, canonicalId: String): ByteArray {
    val id = canonicalId.toByteArray(Charsets.US_ASCII)
    return hmac(master, "regcore/v1/device-key".toByteArray(), byteArrayOf(kindByte(kind), id.size.toByte()), id)
}

private fun deviceKey(masters: Masters, master: String, demo: Boolean, kind: String, id: String): DeviceKey =
    DeviceKey(deviceKeyBytes(masters.get(master, demo), kind, id))

private fun keysVectors(): Map<String, Any?> = loadVectors("keys.json").obj()

private fun Any?.isTrue() = this == true

fun keysTests() {
    val vectors = keysVectors()
    val masters = Masters(vectors)

    Harness.test("vectors: device keys (anchor for the rest), DeviceKey bytes/hex/equality") {
        val cases = vectors["device_keys"].list()
        check(cases.size >= 20) { "only ${cases.size} device key cases" }
        for (c in cases.map { it.obj() }) {
            val kind = c.str("kind")
            val idKind = when (kind) {
                "ups" -> IdentifierKind.UPS_SERIAL
                "gateway" -> IdentifierKind.GATEWAY_ID
                "terminal" -> IdentifierKind.MPR_ID
                else -> null
            }
            if (idKind != null) assertEq(c.str("id"), parseIdentifier(idKind, c.str("input")).canonical, "canonical id")
            val bytes = deviceKeyBytes(masters.get(c.str("master"), c["demo"].isTrue()), kind, c.str("id"))
            assertEq(c.str("k_dev"), hex(bytes), "k_dev ${c.str("input")}")
            DeviceKey(bytes).use { a ->
                assertEq(c.str("k_dev"), hex(a.toBytes()))
                DeviceKey.fromHex(c.str("k_dev").uppercase().chunked(8).joinToString("-")).use { b ->
                    check(a == b) { "fromHex and bytes differ" }
                }
            }
        }
    }

    Harness.test("vectors: key codes verify on the UPS in both written forms") {
        val cases = vectors["key_codes"].list().map { it.obj() }
        check(cases.size >= 20)
        for (c in cases) {
            val serial = parseIdentifier(IdentifierKind.UPS_SERIAL, c.str("serial_input")).canonical
            assertEq(c.str("serial"), serial)
            deviceKey(masters, c.str("master"), c["demo"].isTrue(), "ups", serial).use { k ->
                val expected = KeyCode.fromValue((c["value"] as Long).toUShort())
                for (typed in listOf(c.str("decimal"), c.str("binary"))) {
                    val code = KeyCode.parse(typed)
                    assertEq(expected, code)
                    assertEq(c.str("decimal"), code.decimal())
                    assertEq(c.str("binary"), code.binary())
                    assertEq(c.str("decimal"), code.toString())
                    code.verify(k)
                }
                val wrong = ((c["value"] as Long) xor 1L).toString().padStart(4, '0')
                val e = assertThrows<RegcoreException.Rejected> { KeyCode.parse(wrong).verify(k) }
                assertEq("keycode.mismatch", e.code())
                assertEq(ErrorKind.REJECTED, e.kind())
            }
        }
    }

    Harness.test("vectors: key code parsing, values and error codes") {
        for (c in vectors["key_code_parse"].list().map { it.obj() }) {
            val error = c["error"] as String?
            if (error == null) {
                val code = KeyCode.parse(c.str("input"))
                assertEq((c["value"] as Long).toUShort(), code.value(), c.str("input"))
            } else {
                val e = assertThrows<RegcoreException.InvalidInput> { KeyCode.parse(c.str("input")) }
                assertEq(error, e.code(), c.str("input"))
            }
        }
    }

    Harness.test("vectors: gateway printed passwords verify on the gateway") {
        val cases = vectors["gateway_passwords"].list().map { it.obj() }
        check(cases.size >= 20)
        for (c in cases) {
            val id = parseIdentifier(IdentifierKind.GATEWAY_ID, c.str("gateway_input")).canonical
            assertEq(c.str("gateway_id"), id)
            deviceKey(masters, c.str("master"), c["demo"].isTrue(), "gateway", id).use { k ->
                GatewayPassword.parse(c.str("password")).verify(k)
                GatewayPassword.parse(c.str("password").uppercase())
                    .use { assertEq(GatewayPassword.parse(c.str("password")), it) }
                val pw = c.str("password")
                val altered = (if (pw[0] == 'a') 'b' else 'a') + pw.substring(1)
                val e = assertThrows<RegcoreException.Rejected> { GatewayPassword.parse(altered).verify(k) }
                assertEq("gateway_password.mismatch", e.code())
            }
        }
    }

    Harness.test("vectors: typed gateway passwords (ok, mismatch, malformed)") {
        for (c in vectors["gateway_password_checks"].list().map { it.obj() }) {
            deviceKey(masters, c.str("master"), false, "gateway", c.str("gateway_id")).use { k ->
                val error = c["error"] as String?
                if (error == null) {
                    check(c["ok"].isTrue())
                    GatewayPassword.parse(c.str("typed")).verify(k)
                } else {
                    val e = assertThrows<RegcoreException> { GatewayPassword.parse(c.str("typed")).verify(k) }
                    assertEq(error, e.code(), "'${c.str("typed")}'")
                    val expected = if (error.endsWith(".mismatch")) ErrorKind.REJECTED else ErrorKind.INVALID_INPUT
                    assertEq(expected, e.kind())
                    val expectedClass = if (error.endsWith(".mismatch")) "Rejected" else "InvalidInput"
                    assertEq(expectedClass, e::class.simpleName)
                }
            }
        }
    }

    Harness.test("vectors: registration keys verify on their terminal; demo keys only on the demo key") {
        val cases = vectors["registration_keys"].list().map { it.obj() }
        check(cases.size >= 20)
        for (c in cases) {
            val mpr = parseIdentifier(IdentifierKind.MPR_ID, c.str("mpr_input"))
            assertEq(c.str("mpr_id"), mpr.display)
            val demo = c["demo"].isTrue()
            deviceKey(masters, c.str("master"), demo, "terminal", mpr.canonical).use { own ->
                val key = RegistrationKey.parse(c.str("registration_key"))
                assertEq((c["product"] as Long).toUShort(), key.verify(own))
                assertEq(c.str("registration_key"), key.display())
                assertEq(c.str("registration_key"), key.toString())
                assertEq(c.str("registration_key").replace("-", ""), key.canonical())
                assertEq(key, RegistrationKey.parse(c.str("registration_key").lowercase()))
                assertEq(key.hashCode(), RegistrationKey.parse(c.str("registration_key").lowercase()).hashCode())
            }
            // demo detection: the other world's key of the same terminal refuses it
            deviceKey(masters, c.str("master"), !demo, "terminal", mpr.canonical).use { other ->
                val e = assertThrows<RegcoreException.Rejected> { RegistrationKey.parse(c.str("registration_key")).verify(other) }
                assertEq("regkey.authentication_failed", e.code())
            }
        }
    }

    Harness.test("vectors: typed registration keys on real and demo terminals") {
        val cases = vectors["registration_key_verify"].list().map { it.obj() }
        check(cases.size >= 20)
        for (c in cases) {
            val mpr = parseIdentifier(IdentifierKind.MPR_ID, c.str("mpr_id")).canonical
            deviceKey(masters, c.str("master"), c["demo_device"].isTrue(), "terminal", mpr).use { k ->
                val error = c["error"] as String?
                if (error == null) {
                    assertEq((c["product"] as Long).toUShort(), RegistrationKey.parse(c.str("typed")).verify(k))
                } else {
                    val e = assertThrows<RegcoreException> { RegistrationKey.parse(c.str("typed")).verify(k) }
                    assertEq(error, e.code())
                }
            }
        }
    }

    Harness.test("DeviceKey: malformed bytes and hex are kind configuration, never echoed") {
        for (n in listOf(0, 31, 33, 64)) {
            val e = assertThrows<RegcoreException.Configuration> { DeviceKey(ByteArray(n)) }
            assertEq("keys.device_key_length", e.code())
            assertEq(n.toString(), e.param("actual"))
        }
        val secretish = "zz" + "ab".repeat(31)
        val e = assertThrows<RegcoreException.Configuration> { DeviceKey.fromHex(secretish) }
        assertEq("keys.device_key_format", e.code())
        check(!e.messageEn.contains("abab") && !e.message!!.contains("abab")) { "error echoes key material" }
        DeviceKey(ByteArray(32) { it.toByte() }).use { k ->
            check(!k.toString().contains("0001")) { "toString leaks: $k" }
            check(k.toString().contains("redacted")) { k.toString() }
            check(k != DeviceKey(ByteArray(32)))
        }
    }

    Harness.test("key codes, registration keys, gateway passwords: malformed input codes") {
        DeviceKey(ByteArray(32)).use { k ->
            for ((input, code) in listOf("" to "keycode.empty", "12a4" to "keycode.invalid_character",
                    "101" to "keycode.wrong_length", "1024" to "keycode.out_of_range", "0000000002" to "keycode.not_binary")) {
                assertEq(code, assertThrows<RegcoreException.InvalidInput> { KeyCode.parse(input).verify(k) }.code())
            }
            for ((input, code) in listOf("" to "regkey.empty", "ABCD-EFGH-0000-0000" to "regkey.invalid_character",
                    "ABCD" to "regkey.wrong_length")) {
                assertEq(code, assertThrows<RegcoreException.InvalidInput> { RegistrationKey.parse(input).verify(k) }.code())
            }
            val e = assertThrows<RegcoreException.InvalidInput> { GatewayPassword.parse("abcdefghijk0m").verify(k) }
            assertEq("gateway_password.invalid_character", e.code())
            assertEq("0", e.param("character"))
            assertEq("12", e.param("position"))
            check(e.message(Lang.JA).contains("12文字目"))
        }
        val kc = KeyCode.parse("１１１１１－００００１")
        assertEq(993.toUShort(), kc.value())
        assertEq("0993", kc.decimal())
        assertEq("1111100001", kc.binary())
        assertEq(KeyCode.fromValue(993u), kc)
        val rk = RegistrationKey.parse("ａｂｃｄ－0123 4567-89ef")
        assertEq("ABCD0123456789EF", rk.canonical())
        assertEq("ABCD-0123-4567-89EF", rk.display())
        GatewayPassword.parse("abcd-efgh-ijkm-n").use { pw ->
            check(pw.toString().contains("redacted") && !pw.toString().contains("abcd")) { pw.toString() }
        }
    }

    Harness.test("one verification shape: typed.verify(key) for key codes, gateway passwords, registration keys") {
        DeviceKey(ByteArray(32) { 3 }).use { k ->
            // Each typed value is parsed (kind invalid input on a typo), then
            // verified against the device key (kind rejected when wrong).
            val code = KeyCode.fromValue(0u)
            val verdict = runCatching { code.verify(k) }.exceptionOrNull()
            check(verdict == null || (verdict is RegcoreException.Rejected && verdict.code() == "keycode.mismatch")) { "$verdict" }
            assertEq(ErrorKind.REJECTED, assertThrows<RegcoreException> { RegistrationKey.parse("0000-0000-0000-0000").verify(k) }.kind())
            assertEq(ErrorKind.INVALID_INPUT, assertThrows<RegcoreException> { GatewayPassword.parse("short") }.kind())
        }
        assertEq(KeyCode.fromValue(1023u), KeyCode.parse("1111111111"))
        val e = assertThrows<RegcoreException.InvalidInput> { KeyCode.fromValue(1024u) }
        assertEq("keycode.out_of_range", e.code())
        assertEq("1024", e.param("value"))
    }

    Harness.test("lookupProduct: catalogue hit and activation.unknown_product") {
        val catalogue = mapOf(
            0x0101.toUShort() to Product("KX-VCS101", "Upgrade", false),
            0x0000.toUShort() to Product("KX-VCS101", "Demo", true),
        )
        assertEq(Product("KX-VCS101", "Upgrade", false), lookupProduct(catalogue, 0x0101u))
        check(lookupProduct(catalogue, 0u).demo)
        val e = assertThrows<RegcoreException.Refused> { lookupProduct(catalogue, 0x0202u) }
        assertEq(ErrorKind.REFUSED, e.kind())
        assertEq("activation.unknown_product", e.code())
        assertEq("0202", e.param("product"))
    }
}
