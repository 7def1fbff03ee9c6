"""Teacher exports: the offline HTML site, reveal.js slide decks and the student pack.

Split by what each module holds: :mod:`.assets` installs and locates the pinned
browser libraries (reveal.js, require.js, jQuery, MathJax 2, the widget
renderer) so that nothing is ever loaded from a CDN at view time;
:mod:`.build` executes the chapters and writes the site (``ankl-course build``).
The nbconvert templates live in ``ankl_course/templates/``.
"""
