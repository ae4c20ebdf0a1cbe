import io.regcore.*
import java.time.Duration
import java.time.Instant

fun policyTests() {
    Harness.test("PasswordPolicy: presets by name, every one usable") {
        val names = passwordPolicyPresets()
        check(names.containsAll(listOf("ups_site", "monitoring_service", "kms", "device_admin_pin", "nist_800_63b"))) { "$names" }
        for (name in names) {
            PasswordPolicy.preset(name).use { p ->
                check(p.describe().isNotEmpty()) { name }
                check(p.toJson().startsWith("{")) { name }
            }
        }
        // core's policy.unknown_preset (kind configuration), not a binding code
        val e = assertThrows<RegcoreException.Configuration> { PasswordPolicy.preset("no_such_policy") }
        assertEq("policy.unknown_preset", e.code())
        assertEq(ErrorKind.CONFIGURATION, e.kind())
        assertEq("no_such_policy", e.param("name"))
        check(e.param("expected")!!.split(",").containsAll(names)) { e.param("expected")!! }
        // names are case-sensitive; a control character is quoted escaped
        assertEq("policy.unknown_preset", assertThrows<RegcoreException.Configuration> { PasswordPolicy.preset("UPS_SITE") }.code())
        val rlo = assertThrows<RegcoreException.Configuration> { PasswordPolicy.preset("ups\u202Esite") }
        check(!rlo.messageEn.contains("\u202E") && !rlo.messageJa.contains("\u202E")) { rlo.messageEn }
        check(e.messageJa.isNotEmpty() && e.messageEn.isNotEmpty())
    }

    Harness.test("PasswordPolicy.check: every violation at once, en/ja, params") {
        PasswordPolicy.preset("ups_site").use { p ->
            val r = p.check("abc", PasswordContext())
            check(!r.ok && !r.acceptable && !r.mustChange)
            val codes = r.violations.map { it.code }
            check(codes.containsAll(listOf("password.too_short", "password.missing_digit", "password.missing_symbol"))) { "$codes" }
            val short = r.violations.first { it.code == "password.too_short" }
            assertEq(listOf(Param("min", "10"), Param("actual", "3")), short.params)
            assertEq(ViolationSeverity.REJECT, short.severity)
            check(short.messageJa.contains("10")) { short.messageJa }
            check(short.messageEn.contains("10")) { short.messageEn }

            val ok = p.check("Abcdef12#xyz", PasswordContext())
            check(ok.ok && ok.acceptable && ok.violations.isEmpty()) { "${ok.violations}" }

            val fw = p.check("Ａbcdef12#xyz", PasswordContext())
            check(fw.violations.any { it.code == "password.fullwidth_character" }) { "${fw.violations.map { it.code }}" }
        }
    }

    Harness.test("PasswordPolicy.check: context (user id, e-mail, blocklist)") {
        PasswordPolicy.preset("nist_800_63b").use { p ->
            val withId = p.check("my-taro.yamada-password", PasswordContext(userId = "taro.yamada", email = null, blocklist = listOf()))
            check(withId.violations.any { it.code == "password.contains_user_id" }) { "${withId.violations.map { it.code }}" }
            val withEmail = p.check("hello-taro.yamada-2025", PasswordContext(email = "taro.yamada@example.jp"))
            check(withEmail.violations.any { it.code == "password.contains_user_id" }) { "${withEmail.violations.map { it.code }}" }
            val blocked = p.check("regcore-portal-2025", PasswordContext(blocklist = listOf("REGCORE-PORTAL-2025")))
            check(blocked.violations.isNotEmpty()) { "blocklist ignored" }
            check(p.check("correct horse battery staple", PasswordContext()).ok)
        }
    }

    Harness.test("PasswordPolicy.check: default PIN is acceptable but must change") {
        PasswordPolicy.preset("device_admin_pin").use { p ->
            val r = p.check("00000000", PasswordContext())
            check(r.acceptable && r.mustChange && !r.ok)
            val v = r.violations.single()
            assertEq("password.default_credential", v.code)
            assertEq(ViolationSeverity.MUST_CHANGE, v.severity)
        }
    }

    Harness.test("PasswordPolicy.describe: rules with codes, texts and the codes that break them") {
        PasswordPolicy.preset("ups_site").use { p ->
            val rules = p.describe()
            val length = rules.first { it.code == "password.rule.length" }
            assertEq(listOf(Param("min", "10"), Param("max", "16")), length.params.filter { it.name == "min" || it.name == "max" })
            check(length.violationCodes.containsAll(listOf("password.too_short", "password.too_long"))) { "${length.violationCodes}" }
            check(length.messageJa.isNotEmpty() && length.messageEn.isNotEmpty())
            check(rules.all { it.code.startsWith("password.rule.") })
            check(rules.any { it.code == "password.rule.max_age" }) { rules.map { it.code }.toString() }
            // A check-time blocklist is described by describeFor.
            val withContext = p.describeFor(PasswordContext(blocklist = listOf("Company-2026!")))
            assertEq(rules.size + 1, withContext.size)
            check(rules.none { "password.common_password" in it.violationCodes })
            check(withContext.any { "password.common_password" in it.violationCodes })
        }
    }

    Harness.test("PasswordPolicy JSON: round trip, custom policy, errors") {
        val json = PasswordPolicy.preset("kms").use { it.toJson() }
        PasswordPolicy.fromJson(json).use { back ->
            PasswordPolicy.preset("kms").use { kms -> check(back == kms) { "round trip differs" } }
            check(back.check("abcd1234x", PasswordContext()).violations.any { it.code == "password.sequential_run" })
        }
        val custom = """{"min_length":6,"max_length":8,"alphabet":{"kind":"ascii","lowercase":false,"uppercase":false,"digits":true,"symbols":""}}"""
        PasswordPolicy.fromJson(custom).use { p ->
            check(p.check("123956", PasswordContext()).ok)
            assertEq("password.disallowed_character", p.check("12395a", PasswordContext()).violations.single().code)
        }
        // core's binding.malformed_json (kind invalid input), not a binding code
        val bad = assertThrows<RegcoreException.InvalidInput> { PasswordPolicy.fromJson("{not json") }
        assertEq("binding.malformed_json", bad.code())
        assertEq("password_policy", bad.param("what"))
        check(bad.param("reason") != null)
        check(bad.messageJa.isNotEmpty())
        val inconsistent = assertThrows<RegcoreException.Configuration> {
            PasswordPolicy.fromJson(custom.replace("\"min_length\":6", "\"min_length\":9"))
        }
        assertEq("policy.invalid_length", inconsistent.code())
    }

    Harness.test("PasswordPolicy.passwordAge: 180-day rule, warning window, clock errors") {
        val changed = Instant.parse("2025-01-01T00:00:00Z")
        PasswordPolicy.preset("ups_site").use { p ->
            assertEq(PasswordAge.Fresh, p.passwordAge(changed, changed.plus(Duration.ofDays(100))))
            assertEq(PasswordAge.ExpiresSoon(10u), p.passwordAge(changed, changed.plus(Duration.ofDays(170))))
            assertEq(PasswordAge.Expired, p.passwordAge(changed, changed.plus(Duration.ofDays(180))))
            assertEq(PasswordAge.Fresh, p.passwordAge(changed, changed.minus(Duration.ofDays(1))))
            val e = assertThrows<RegcoreException.InvalidInput> { p.passwordAge(Instant.MAX, changed) }
            assertEq("time.out_of_range", e.code())
        }
        PasswordPolicy.preset("nist_800_63b").use { p ->
            assertEq(PasswordAge.Fresh, p.passwordAge(changed, changed.plus(Duration.ofDays(10000))))
        }
    }
}
