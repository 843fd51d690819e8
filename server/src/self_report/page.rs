//! The pages residents see, in Chinese and sized for a phone: the form with
//! its privacy notice ([`form_page`]), and one-message pages for a link
//! expired, revoked or invalid, a refusal, and the thanks after a report
//! ([`message_page`]). Each is one self-contained document: the CSS and the
//! script (`form.css`, `form.js`) are inline under the response's CSP
//! nonce, and nothing is loaded from elsewhere. Every value written into a
//! page goes through [`escape`].
//!
//! To add a household field, add it to [`household_fields`]; a member
//! field, to [`member_fields`] (and its check to `form.js`).

use gridbook::codes::{CodeList, Gender, RELATION_CODES, RELATION_HEAD};
use gridbook::self_report::{
    FieldError, FieldName, MAX_MEMBERS, MemberDraft, MemberField, SelfReportDraft,
};

const CSS: &str = include_str!("form.css");
const SCRIPT: &str = include_str!("form.js");

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn document(title: &str, csp_nonce: &str, body: &str, script: bool) -> String {
    let script = if script {
        format!("<script nonce=\"{csp_nonce}\">{SCRIPT}</script>")
    } else {
        String::new()
    };
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <link rel=\"icon\" href=\"data:,\">\
         <title>{}</title><style nonce=\"{csp_nonce}\">{CSS}</style></head>\
         <body><main>{body}</main>{script}</body></html>\n",
        escape(title)
    )
}

/// A page with a heading and one paragraph (the thanks, a refusal, an
/// expired link): no form, no script.
pub fn message_page(title: &str, text: &str, csp_nonce: &str) -> String {
    let body = format!(
        "<section class=\"done\"><h1>{}</h1><p>{}</p></section>",
        escape(title),
        escape(text)
    );
    document(title, csp_nonce, &body, false)
}

/// What the form page needs besides the draft.
#[derive(Debug, Clone)]
pub struct FormContext<'a> {
    /// The link's token (the form posts back to it).
    pub token: &'a str,
    /// The form's nonce (a hidden field).
    pub nonce: &'a str,
    /// The response's CSP nonce.
    pub csp_nonce: &'a str,
    /// How many days an unreviewed report is kept, for the notice.
    pub retention_days: u64,
}

/// The form: the privacy notice to accept, then the household and its
/// members, filled with `draft` (what this resident just posted, or empty)
/// and showing `errors` beside their fields.
pub fn form_page(
    ctx: &FormContext<'_>,
    draft: &SelfReportDraft,
    consent: bool,
    errors: &[FieldError],
) -> String {
    let mut body = String::new();
    body.push_str("<h1>住户信息自主申报</h1>");
    let general: Vec<&FieldError> = errors
        .iter()
        .filter(|e| matches!(e.field, FieldName::Members | FieldName::Consent))
        .collect();
    if !errors.is_empty() {
        body.push_str(
            "<section class=\"summary\" id=\"summary\"><p>请修改标出的内容后再提交。</p>",
        );
        for e in general {
            body.push_str(&format!("<p class=\"error\">{}</p>", escape(&e.message())));
        }
        body.push_str("</section>");
    }
    body.push_str(&format!(
        "<form id=\"report\" method=\"post\" action=\"/r/{}\" \
         enctype=\"application/x-www-form-urlencoded\" novalidate data-max-members=\"{MAX_MEMBERS}\">\
         <input type=\"hidden\" name=\"nonce\" value=\"{}\">",
        escape(ctx.token),
        escape(ctx.nonce)
    ));
    body.push_str(&notice(ctx.retention_days, consent));
    body.push_str("<div id=\"fields\">");
    body.push_str(&household_fields(draft, errors));
    body.push_str("<div id=\"members\">");
    let members: Vec<MemberDraft> = if draft.members.is_empty() {
        vec![MemberDraft {
            relation: RELATION_HEAD.into(),
            ..MemberDraft::default()
        }]
    } else {
        draft.members.clone()
    };
    for (index, member) in members.iter().enumerate() {
        body.push_str(&member_fields(&index.to_string(), index, member, errors));
    }
    body.push_str(
        "</div><button type=\"button\" class=\"plain\" id=\"add-member\">添加家庭成员</button>\
         <button type=\"submit\" id=\"submit\">提交</button></div></form>",
    );
    body.push_str(&format!(
        "<template id=\"member-template\">{}</template>",
        member_fields("__I__", 1, &MemberDraft::default(), &[])
    ));
    document("住户信息自主申报", ctx.csp_nonce, &body, true)
}

/// The privacy notice (PIPL Art. 17): who, why, what, how long, whom to ask.
fn notice(retention_days: u64, consent: bool) -> String {
    format!(
        "<section class=\"notice\" id=\"notice\"><h2>个人信息处理告知</h2>\
         <div id=\"notice-text\">\
         <p><b>处理者：</b>本网格所在社区居民委员会及其网格服务站（网格员）。</p>\
         <p><b>目的：</b>网格服务与人口信息核对，仅用于本网格的住户登记、走访与服务。</p>\
         <p><b>收集的信息：</b></p><ul><li>住址：楼栋、单元、楼层、房号；</li>\
         <li>每位家庭成员：姓名、性别、身份证号、出生日期（选填）、手机号、与户主关系。</li></ul>\
         <p><b>保存期限：</b>提交的信息在服务器上最多保存{retention_days}天，网格员核对后即从服务器删除；\
         核对无误的信息录入社区住户名册。</p>\
         <p><b>您的权利：</b>您可以查阅、更正或要求删除您的信息；不同意本告知则无法在线申报，\
         也可以直接联系网格员登记。</p>\
         <p><b>联系方式：</b>请联系张贴本二维码的网格员或社区居民委员会。</p>\
         <p>本页面不显示、也不会向您提供其他住户的任何信息。</p></div>\
         <label class=\"check\"><input type=\"checkbox\" id=\"consent\" name=\"consent\" value=\"yes\"{}>\
         <span>我已阅读并同意以上个人信息处理告知</span></label>\
         <button type=\"button\" id=\"accept\">同意并开始填写</button></section>",
        if consent { " checked" } else { "" }
    )
}

fn error_of(errors: &[FieldError], field: FieldName) -> Option<&FieldError> {
    errors.iter().find(|e| e.field == field)
}

/// One labelled input with its error, if any.
fn input(
    field: FieldName,
    label: &str,
    kind: &str,
    value: &str,
    extra: &str,
    errors: &[FieldError],
) -> String {
    input_with_key(
        &field.key(),
        label,
        kind,
        value,
        extra,
        error_of(errors, field),
    )
}

fn input_with_key(
    key: &str,
    label: &str,
    kind: &str,
    value: &str,
    extra: &str,
    error: Option<&FieldError>,
) -> String {
    let invalid = if error.is_some() {
        " aria-invalid=\"true\""
    } else {
        ""
    };
    format!(
        "<label for=\"{key}\">{label}</label><input type=\"{kind}\" id=\"{key}\" name=\"{key}\" \
         value=\"{}\" autocomplete=\"off\"{extra}{invalid}>{}",
        escape(value),
        error_line(key, error)
    )
}

fn error_line(key: &str, error: Option<&FieldError>) -> String {
    error.map_or_else(String::new, |e| {
        format!(
            "<p class=\"error\" id=\"err-{key}\">{}</p>",
            escape(&e.message())
        )
    })
}

/// The household's address fields.
fn household_fields(draft: &SelfReportDraft, errors: &[FieldError]) -> String {
    format!(
        "<fieldset><legend>住址</legend><div class=\"row\"><div>{}</div><div>{}</div></div>\
         <div class=\"row\"><div>{}</div><div>{}</div></div></fieldset>",
        input(
            FieldName::Building,
            "楼栋",
            "text",
            &draft.building,
            " maxlength=\"20\"",
            errors
        ),
        input(
            FieldName::Unit,
            "单元",
            "text",
            &draft.unit,
            " maxlength=\"20\"",
            errors
        ),
        input(
            FieldName::Floor,
            "楼层",
            "text",
            &draft.floor,
            " inputmode=\"numeric\" maxlength=\"4\"",
            errors
        ),
        input(
            FieldName::Room,
            "房号",
            "text",
            &draft.room,
            " maxlength=\"20\"",
            errors
        ),
    )
}

fn select(
    key: &str,
    label: &str,
    options: &[(&str, &str)],
    value: &str,
    error: Option<&FieldError>,
) -> String {
    let invalid = if error.is_some() {
        " aria-invalid=\"true\""
    } else {
        ""
    };
    let mut out = format!(
        "<label for=\"{key}\">{label}</label><select id=\"{key}\" name=\"{key}\"{invalid}><option value=\"\">请选择</option>"
    );
    for (code, text) in options {
        let selected = if *code == value { " selected" } else { "" };
        out.push_str(&format!(
            "<option value=\"{code}\"{selected}>{text}</option>"
        ));
    }
    out.push_str("</select>");
    out.push_str(&error_line(key, error));
    out
}

/// A choice of a few (性别) as radio buttons, one tap each; the group's
/// error follows the group.
fn radios(
    key: &str,
    label: &str,
    options: &[(&str, &str)],
    value: &str,
    error: Option<&FieldError>,
) -> String {
    let invalid = if error.is_some() {
        " aria-invalid=\"true\""
    } else {
        ""
    };
    let mut out = format!(
        "<div class=\"radios\" id=\"{key}\" role=\"radiogroup\"{invalid}><span class=\"radios-label\">{label}</span>"
    );
    for (code, text) in options {
        let checked = if *code == value { " checked" } else { "" };
        out.push_str(&format!(
            "<label class=\"radio\"><input type=\"radio\" id=\"{key}_{code}\" name=\"{key}\" value=\"{code}\"{checked}>{text}</label>"
        ));
    }
    out.push_str("</div>");
    out.push_str(&error_line(key, error));
    out
}

/// One member's fields. `index` is its number in the names (`__I__` in the
/// script's template); `position` decides whether its phone is required
/// and whether it may be removed.
fn member_fields(
    index: &str,
    position: usize,
    member: &MemberDraft,
    errors: &[FieldError],
) -> String {
    let key = |field: MemberField| format!("m{index}_{}", field_suffix(field));
    let error = |field: MemberField| {
        error_of(
            errors,
            FieldName::Member {
                index: position,
                field,
            },
        )
    };
    let genders: Vec<(&str, &str)> = [Gender::Male, Gender::Female]
        .iter()
        .map(|g| (g.code(), g.label()))
        .collect();
    let phone_label = if position == 0 {
        "手机号"
    } else {
        "手机号（选填）"
    };
    let mut out = format!(
        "<fieldset class=\"member\"><legend>成员 {}</legend>",
        position + 1
    );
    let text = |field, label: &str, kind: &str, extra: &str| {
        input_with_key(
            &key(field),
            label,
            kind,
            member.value(field),
            extra,
            error(field),
        )
    };
    out.push_str(&text(
        MemberField::Name,
        "姓名",
        "text",
        " maxlength=\"50\"",
    ));
    out.push_str(&radios(
        &key(MemberField::Gender),
        "性别",
        &genders,
        &member.gender,
        error(MemberField::Gender),
    ));
    out.push_str(&text(
        MemberField::IdNumber,
        "身份证号",
        "text",
        " maxlength=\"18\"",
    ));
    out.push_str(&text(
        MemberField::BirthDate,
        "出生日期（选填）",
        "date",
        "",
    ));
    out.push_str(
        &text(MemberField::Phone, phone_label, "tel", " maxlength=\"20\"").replacen(
            "<label ",
            "<label class=\"phone-label\" ",
            1,
        ),
    );
    out.push_str(&select(
        &key(MemberField::Relation),
        "与户主关系",
        RELATION_CODES,
        &member.relation,
        error(MemberField::Relation),
    ));
    if position > 0 {
        out.push_str("<button type=\"button\" class=\"remove\">删除此成员</button>");
    }
    out.push_str("</fieldset>");
    out
}

/// The suffix of a member field's name (`m0_<suffix>`), as the core names it.
fn field_suffix(field: MemberField) -> String {
    let key = FieldName::Member { index: 0, field }.key();
    key.strip_prefix("m0_").map(str::to_owned).unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> FormContext<'static> {
        FormContext {
            token: "g.1.abc",
            nonce: "1.n",
            csp_nonce: "cspn",
            retention_days: 30,
        }
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_what_it_repeats() {
        let draft = SelfReportDraft {
            building: "<script>x</script>".into(),
            ..SelfReportDraft::default()
        };
        let html = form_page(&ctx(), &draft, false, &[]);
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script>x"));
        assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="));
        assert!(!html.contains(" style=") && !html.contains(" onclick="));
        assert!(html.contains("最多保存30天"));
        assert_eq!(html.matches("<script nonce=\"cspn\">").count(), 1);
        assert!(
            html.contains("name=\"m0_relation\"")
                && html.contains("<option value=\"02\" selected>户主</option>")
        );
    }
}
