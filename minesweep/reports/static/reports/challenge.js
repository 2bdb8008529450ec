/* Anti-flood proof of work for the report form: find n so that SHA-256("nonce:n") starts with `bits` zero
   bits. Pure JavaScript SHA-256 (crypto.subtle is missing on plain-http pages), run in slices so the page
   stays responsive. No data leaves the page except the answer. */
(function () {
  "use strict";
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  function sha256(ascii) {
    var bytes = [], i, j;
    for (i = 0; i < ascii.length; i++) bytes.push(ascii.charCodeAt(i) & 0xff);
    var bitLen = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (i = 7; i >= 0; i--) bytes.push(i > 3 ? 0 : (bitLen >>> (i * 8)) & 0xff);
    var H = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19];
    var W = new Array(64);
    for (i = 0; i < bytes.length; i += 64) {
      for (j = 0; j < 16; j++) W[j] = (bytes[i+4*j] << 24) | (bytes[i+4*j+1] << 16) | (bytes[i+4*j+2] << 8) | bytes[i+4*j+3];
      for (j = 16; j < 64; j++) {
        var a0 = W[j-15], a1 = W[j-2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        W[j] = (W[j-16] + s0 + W[j-7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (j = 0; j < 64; j++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[j] + W[j]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    return H;
  }
  function zeroBits(H) {
    var n = 0;
    for (var i = 0; i < 8; i++) {
      var w = H[i] >>> 0;
      if (w === 0) { n += 32; continue; }
      return n + Math.clz32(w);
    }
    return n;
  }
  function nonceOf(token) {
    // Django signed token: base64url(JSON):timestamp:signature — the JSON carries the nonce.
    var part = token.split(":")[0].replace(/-/g, "+").replace(/_/g, "/");
    while (part.length % 4) part += "=";
    return JSON.parse(atob(part)).n;
  }
  var form = document.getElementById("report-form");
  if (!form) return;
  var tokenInput = form.querySelector("input[name=challenge]");
  var answerInput = form.querySelector("input[name=challenge_answer]");
  var statusEl = document.getElementById("pow-status");
  var text = JSON.parse(document.getElementById("pow-text").textContent);
  var bits = parseInt(tokenInput.dataset.bits, 10) || 0;
  var nonce = nonceOf(tokenInput.value);
  var counter = 0, done = false, submitWhenDone = false;
  function slice() {
    var end = counter + 20000;
    for (; counter < end; counter++) {
      if (zeroBits(sha256(nonce + ":" + counter)) >= bits) {
        answerInput.value = String(counter);
        done = true;
        statusEl.textContent = text.done;
        form.dataset.powDone = "1";
        if (submitWhenDone) form.submit();
        return;
      }
    }
    setTimeout(slice, 0);
  }
  form.addEventListener("submit", function (event) {
    if (!done) { event.preventDefault(); submitWhenDone = true; statusEl.textContent = text.busy; }
  });
  setTimeout(slice, 0);
})();
