// The receipts page: the resident types their tracking code and the browser sends only its SHA-256 (the same
// normalisation as pb.voting.secrecy.normalise_code). Without this script (or without Web Crypto) the page asks
// for the hash itself.
(function () {
  "use strict";
  var form = document.querySelector("form[data-receipt-check]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) { return; }
  var codeField = form.querySelector("[data-code-field]");
  var hashField = form.querySelector("[data-hash-field]");
  var code = form.querySelector("#tracking-code");
  var hash = form.querySelector("#receipt_hash");
  var greek = "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", latin = "ABEZHIKMNOPTYX";
  codeField.hidden = false;
  hashField.hidden = true;
  function normalise(text) {
    var upper = text.normalize("NFKC").toUpperCase();
    var out = "";
    for (var i = 0; i < upper.length; i += 1) {
      var ch = upper[i];
      if (!/[\p{L}\p{N}]/u.test(ch)) { continue; }
      var at = greek.indexOf(ch);
      out += at >= 0 ? latin[at] : ch;
    }
    return out;
  }
  form.addEventListener("submit", function (event) {
    if (form.dataset.hashed === "1") { return; }
    event.preventDefault();
    var bytes = new TextEncoder().encode(normalise(code.value));
    window.crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      hash.value = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      form.dataset.hashed = "1";
      form.submit();
    });
  });
}());
