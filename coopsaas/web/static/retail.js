// Point of sale helpers. The till works without this file; it only keeps the scanner field
// focused and shows the change while cash is typed.
(function () {
  "use strict";
  var form = document.getElementById("pos-form");
  if (!form) { return; }
  var code = form.querySelector("[name=code]");
  var cash = form.querySelector("[name=cash_tendered]");
  var totalCell = document.getElementById("pos-total");
  var changeOut = document.getElementById("pos-change");
  if (code) { code.focus(); }

  function parseRupiah(text) {
    var s = (text || "").replace(/\s|Rp/gi, "");
    if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(s)) { s = s.replace(/\./g, "").replace(",", "."); }
    else { s = s.replace(",", "."); }
    var n = Number(s);
    return isFinite(n) ? Math.round(n * 100) : NaN;
  }

  function formatRupiah(sen) {
    var whole = Math.floor(Math.abs(sen) / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (sen < 0 ? "-" : "") + "Rp " + whole;
  }

  if (cash && totalCell && changeOut) {
    cash.addEventListener("input", function () {
      var total = Math.round(Number(totalCell.getAttribute("data-total")) * 100);
      var given = parseRupiah(cash.value);
      changeOut.textContent = isNaN(given) || !cash.value ? "" : formatRupiah(given - total);
    });
  }
})();
