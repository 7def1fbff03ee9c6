// TeX to SVG at build time, for decks that must show formulas with no MathJax beside them.
// Usage: node tex2svg.js MATHJAX3_DIR < [{"tex": "...", "display": true}, ...]
// Writes {"css": "...", "svg": ["<mjx-container ...>", ...]} to stdout; a TeX error is reported
// as {"error": "...", "index": N} and exit status 2, so the build names the formula.
"use strict";
const mathjaxDir = process.argv[2];
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  require(mathjaxDir).init({
    loader: { load: ["input/tex-full", "output/svg"] },
    // every SVG carries its own glyph paths: a formula must not depend on another one's cache
    svg: { fontCache: "none" },
  }).then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const svg = [];
    for (let index = 0; index < items.length; index++) {
      const node = MathJax.tex2svg(items[index].tex, { display: items[index].display });
      const html = adaptor.outerHTML(node);
      if (html.includes("data-mjx-error")) {
        const found = /data-mjx-error="([^"]*)"/.exec(html);
        process.stdout.write(JSON.stringify({ error: found ? found[1] : "TeX error", index }));
        process.exit(2);
      }
      svg.push(html);
    }
    const css = adaptor.textContent(MathJax.svgStylesheet());
    process.stdout.write(JSON.stringify({ css, svg }));
  }).catch((err) => {
    process.stdout.write(JSON.stringify({ error: String(err && err.message || err), index: -1 }));
    process.exit(3);
  });
});
