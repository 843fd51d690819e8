package org.gridbook.demo.logic

import org.gridbook.core.Resident
import org.gridbook.maskName
import org.gridbook.maskResident

/**
 * What the screens show of a person. Masked by default, by the core: the ID
 * number and phones through [maskResident] (`110105********002X`,
 * `138****8000`), the name through [maskName] (first character kept: `王**`).
 */
object Masking {
    /** [resident] for display: masked unless [revealed]. */
    fun resident(resident: Resident, revealed: Boolean): Resident =
        if (revealed) resident else maskResident(resident).copy(name = maskName(resident.name))

    /**
     * A conflicting value of a resident's field for display. The core sends
     * it as JSON (a string, or null); personal fields are masked unless
     * [revealed]. Phones are stored comma-separated.
     */
    fun conflictValue(field: String, valueJson: String, revealed: Boolean): String {
        val text = jsonString(valueJson) ?: return if (valueJson == "null") "（空）" else valueJson
        if (revealed) return text
        return when (field) {
            "name" -> maskName(text)
            "phones" -> maskResident(carrier(phones = text.split(",").filter { it.isNotBlank() })).phones.joinToString(",")
            "id_number" -> maskResident(carrier(idNumber = text)).idNumber ?: ""
            "birth_date" -> text.take(4) + "-**-**"
            else -> text
        }
    }

    private val SENSITIVE = setOf("name", "phones", "id_number", "birth_date")

    /** Whether a resident's field holds personal data that is masked by default. */
    fun isSensitive(field: String): Boolean = field in SENSITIVE

    /** A resident holding only the values to mask, so the core's masks apply. */
    private fun carrier(phones: List<String> = emptyList(), idNumber: String? = null) = Resident(
        id = "", gridId = "", householdId = "", name = "", gender = org.gridbook.core.Gender.UNKNOWN, birthDate = null,
        idNumber = idNumber, phones = phones, relation = "", registration = org.gridbook.core.Registration.LOCAL,
        residenceState = org.gridbook.core.ResidenceState.CONSISTENT, care = emptyList(), movedIn = null, movedOut = null,
        status = org.gridbook.core.ResidentStatus.ACTIVE,
    )

    /** Decodes a JSON string literal; null when [json] is not one. */
    internal fun jsonString(json: String): String? {
        val s = json.trim()
        if (s.length < 2 || s.first() != '"' || s.last() != '"') return null
        val out = StringBuilder()
        var i = 1
        while (i < s.length - 1) {
            val c = s[i]
            if (c != '\\') {
                out.append(c)
                i++
                continue
            }
            if (i + 1 >= s.length - 1) return null
            when (val e = s[i + 1]) {
                '"', '\\', '/' -> out.append(e)
                'b' -> out.append('\b')
                'f' -> out.append('\u000C')
                'n' -> out.append('\n')
                'r' -> out.append('\r')
                't' -> out.append('\t')
                'u' -> {
                    if (i + 6 > s.length - 1) return null
                    out.append(s.substring(i + 2, i + 6).toIntOrNull(16)?.toChar() ?: return null)
                    i += 4
                }
                else -> return null
            }
            i += 2
        }
        return out.toString()
    }
}
