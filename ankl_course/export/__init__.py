"""Teacher exports: the offline HTML site, reveal.js slide decks and the student pack.

Split by what each module holds: :mod:`.assets` installs and locates the pinned
libraries (reveal.js for the decks, MathJax 3 for build-time formulas, axe-core
for the tests) so that nothing is ever loaded from a CDN at view time;
:mod:`.build` executes the chapters and writes the site (``ankl-course build``);
:mod:`.incremental` decides which chapters need executing again; :mod:`.mathsvg`
turns formulas into SVG.
The nbconvert templates live in ``ankl_course/templates/``.
"""
