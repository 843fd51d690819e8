package org.gridbook.demo.logic

import org.gridbook.core.Resident
import org.gridbook.maskName
import org.gridbook.maskResident

/**
 * What the screens show of a person. The core reads ID numbers and phones
 * masked (`110105********002X`, `138****8000`); the full values come only
 * from `Store.revealResident`, with a purpose, and the core logs it. Names
 * the demo masks itself through [maskName] (first character kept: `王**`).
 */
object Masking {
    /**
     * A member for display: the core's [masked] read (kept current by the
     * live query) with the ID number and phones of [full], a reveal, when
     * there is one; else with the name masked too.
     */
    fun resident(masked: Resident, full: Resident?): Resident =
        if (full != null) masked.copy(idNumber = full.idNumber, phones = full.phones) else masked.copy(name = maskName(masked.name))

    /**
     * Whether the revealed [full] resident still has the ID number and
     * phones of the core's [masked] read (`maskResident` masks them the same
     * way), i.e. whether the reveal is not stale.
     */
    fun sameMasked(masked: Resident, full: Resident): Boolean {
        val again = maskResident(full)
        return again.idNumber == masked.idNumber && again.phones == masked.phones
    }

    /**
     * A conflicting value of a resident's field for display. The core sends
     * it as JSON (a string, or null), ID numbers and phones masked already;
     * the fields the demo masks itself (names, birth dates) are masked unless
     * [revealed].
     */
    fun conflictValue(field: String, valueJson: String, revealed: Boolean): String {
        val text = jsonString(valueJson) ?: return if (valueJson == "null") "（空）" else valueJson
        if (revealed) return text
        return when (field) {
            "name" -> maskName(text)
            "birth_date" -> text.take(4) + "-**-**"
            else -> text
        }
    }

    private val SENSITIVE = setOf("name", "birth_date")

    /**
     * Whether a resident's field is masked by the demo until revealed on the
     * conflicts screen (names, birth dates). ID numbers and phones come
     * masked from the core; their full values only through a reveal on the
     * household screen.
     */
    fun isSensitive(field: String): Boolean = field in SENSITIVE

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
