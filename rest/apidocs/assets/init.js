// Starts Redoc on the /docs page (apidocs.go), which loads this file after
// redoc.standalone.js. The page carries no inline script: the OpenAPI
// document's URL is the data-spec-url of #redoc, and the nonce that the
// page's Content-Security-Policy gives its stylesheets is this script
// element's own.
(function () {
  'use strict';
  var nonce = document.currentScript.nonce;
  var root = document.getElementById('redoc');
  Redoc.init(root.getAttribute('data-spec-url'), {
    // Redoc's styles (styled-components) go into <style> elements that
    // carry the nonce.
    nonce: nonce,
    // Redoc's search runs in a web worker made from a blob: URL, which the
    // CSP refuses; four endpoints do not need a search box.
    disableSearch: true,
    expandResponses: '200',
  }, root);
})();
