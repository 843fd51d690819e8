// The self-report form's script: the privacy notice gate, adding and
// removing members, and checks that mirror the server's (the core's
// gridbook::self_report), with the same messages. The server checks again
// whatever this script lets through.
(function () {
  "use strict";
  var form = document.getElementById("report");
  var notice = document.getElementById("notice");
  var fields = document.getElementById("fields");
  var consent = document.getElementById("consent");
  var accept = document.getElementById("accept");
  var members = document.getElementById("members");
  var template = document.getElementById("member-template");
  var addButton = document.getElementById("add-member");
  var MAX_MEMBERS = Number(form.getAttribute("data-max-members"));

  function showFields() {
    notice.classList.add("collapsed");
    document.getElementById("notice-text").classList.add("hidden");
    accept.classList.add("hidden");
    fields.classList.remove("hidden");
  }
  if (consent.checked) {
    showFields();
  } else {
    fields.classList.add("hidden");
    accept.disabled = true;
  }
  consent.addEventListener("change", function () {
    accept.disabled = !consent.checked;
  });
  accept.addEventListener("click", function () {
    if (consent.checked) {
      showFields();
      var first = document.getElementById("building");
      if (first) { first.focus(); }
    }
  });

  function memberSets() {
    return Array.prototype.slice.call(members.querySelectorAll("fieldset.member"));
  }
  function renumber() {
    memberSets().forEach(function (set, i) {
      set.querySelector("legend").textContent = "成员 " + (i + 1);
      ["id", "name", "for"].forEach(function (attr) {
        set.querySelectorAll("[" + attr + "]").forEach(function (el) {
          el.setAttribute(attr, el.getAttribute(attr).replace(/^(err-)?m\d+_/, "$1m" + i + "_"));
        });
      });
      var phone = set.querySelector("label.phone-label");
      if (phone) { phone.textContent = i === 0 ? "手机号" : "手机号（选填）"; }
    });
    addButton.disabled = memberSets().length >= MAX_MEMBERS;
  }
  addButton.addEventListener("click", function () {
    var index = memberSets().length;
    if (index >= MAX_MEMBERS) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__I__/g, String(index));
    members.appendChild(holder.firstElementChild);
    renumber();
  });
  members.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList && target.classList.contains("remove")) {
      var set = target.closest("fieldset.member");
      if (set && memberSets().length > 1) { set.remove(); renumber(); }
    }
  });

  // --- the checks, as the server's ---
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECKS = "10X98765432";
  function today() {
    var d = new Date();
    return new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  }
  function realDate(y, m, d) {
    var dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d ? dt : null;
  }
  function dateProblem(dt, label) {
    if (dt > today()) { return label + "中的日期不能晚于今天"; }
    if (dt.getUTCFullYear() < 1900) { return label + "中的日期不能早于1900年"; }
    return "";
  }
  function idProblem(value) {
    var v = value.trim().toUpperCase();
    if (!v) { return "请填写身份证号"; }
    if (!/^\d{17}[\dX]$/.test(v)) { return "身份证号应为18位，最后一位可为X"; }
    var birth = realDate(Number(v.substr(6, 4)), Number(v.substr(10, 2)), Number(v.substr(12, 2)));
    if (!birth) { return "身份证号中的出生日期不存在"; }
    var when = dateProblem(birth, "身份证号");
    if (when) { return when; }
    var sum = 0;
    for (var i = 0; i < 17; i++) { sum += Number(v.charAt(i)) * WEIGHTS[i]; }
    return CHECKS.charAt(sum % 11) === v.charAt(17) ? "" : "身份证号校验位不正确";
  }
  function phoneProblem(value, required) {
    var v = value.trim();
    if (!v) { return required ? "请填写手机号" : ""; }
    var mobile = v.replace(/[\s-]/g, "").replace(/^\+?86(?=1\d{10}$)/, "");
    if (/^1[3-9]\d{9}$/.test(mobile)) { return ""; }
    if (/^0\d{2,3}[- ]?[2-9]\d{6,7}(-\d{1,6})?$/.test(v)) { return ""; }
    return "手机号格式不正确（11位手机号或带区号的固定电话）";
  }
  function textProblem(value, label, max) {
    var v = value.trim();
    if (!v) { return "请填写" + label; }
    if (Array.from(v).length > max) { return label + "不能超过" + max + "个字"; }
    return "";
  }
  function birthProblem(value) {
    var v = value.trim();
    if (!v) { return ""; }
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    var dt = m && realDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (!dt) { return "出生日期应为“年-月-日”，如 1980-01-31"; }
    return dateProblem(dt, "出生日期");
  }
  function floorProblem(value) {
    var v = value.trim();
    if (!v) { return "请填写楼层"; }
    var n = /^-?\d{1,3}$/.test(v) ? Number(v) : NaN;
    return n >= -10 && n <= 200 ? "" : "楼层超出范围";
  }

  // The element an error follows: the input, or a radio button's group.
  function anchorOf(input) {
    return input.type === "radio" ? input.closest(".radios") : input;
  }
  function setError(input, message) {
    var id = "err-" + input.name;
    var shown = document.getElementById(id);
    var anchor = anchorOf(input);
    if (!message) {
      anchor.removeAttribute("aria-invalid");
      if (shown) { shown.remove(); }
      return;
    }
    anchor.setAttribute("aria-invalid", "true");
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "error";
      shown.id = id;
      anchor.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = message;
  }
  function problemOf(input) {
    var name = input.name;
    var member = /^m(\d+)_(.+)$/.exec(name);
    if (!member) {
      if (name === "building") { return textProblem(input.value, "楼栋", 20); }
      if (name === "unit") { return textProblem(input.value, "单元", 20); }
      if (name === "room") { return textProblem(input.value, "房号", 20); }
      if (name === "floor") { return floorProblem(input.value); }
      return "";
    }
    switch (member[2]) {
      case "name": return textProblem(input.value, "姓名", 50);
      case "gender": return fields.querySelector("input[name='" + input.name + "']:checked") ? "" : "请选择性别";
      case "id_number": return idProblem(input.value);
      case "birth_date": return birthProblem(input.value);
      case "phone": return phoneProblem(input.value, member[1] === "0");
      case "relation": return input.value ? "" : "请选择与户主关系";
      default: return "";
    }
  }
  // Every field once: a radio group by its first button.
  function checkable() {
    var seen = {};
    return Array.prototype.slice.call(fields.querySelectorAll("input[name], select[name]"))
      .filter(function (input) {
        if (seen[input.name]) { return false; }
        seen[input.name] = true;
        return true;
      });
  }
  function cleared(event) {
    if (event.target.name) { setError(event.target, ""); }
  }
  fields.addEventListener("input", cleared);
  fields.addEventListener("change", cleared);
  form.addEventListener("submit", function (event) {
    var firstBad = null;
    var ids = {};
    checkable().forEach(function (input) {
      var problem = problemOf(input);
      if (!problem && /_id_number$/.test(input.name)) {
        var v = input.value.trim().toUpperCase();
        if (ids[v]) { problem = "与另一位成员的身份证号重复"; }
        ids[v] = true;
      }
      setError(input, problem);
      if (problem && !firstBad) { firstBad = input; }
    });
    if (firstBad) {
      event.preventDefault();
      firstBad.focus();
    }
  });
  renumber();
})();
