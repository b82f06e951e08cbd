// ReDoc's sidebar always shows Redocly's logo from their CDN (cdn.redoc.ly); the site's
// Content-Security-Policy allows only our own images, so the browser would block it and log a
// violation. Give that one image a blank local picture instead; everything else is untouched.
(function () {
  "use strict";
  var remote = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var blank = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, name === "src" && value === remote ? blank : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) { src.set.call(this, value === remote ? blank : value); },
  });
})();
