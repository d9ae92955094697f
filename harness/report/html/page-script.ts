// The report's only script: status and text filters, expand/collapse all, and opening the experiment
// named in the URL's #fragment. It reads data-* attributes the page already has (no embedded data) and
// attaches listeners itself, so no event handler is ever built from data. Plain ES2020 for any browser.
// It also shows the copy buttons of the "Do it by hand" sections and copies a command when clicked.
export const pageScript = `
(function () {
  'use strict';
  // Copy buttons of "Do it by hand": the clipboard API where the page may use it, else a selection.
  Array.prototype.slice.call(document.querySelectorAll('button.copy')).forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var code = button.parentNode.querySelector('code');
      function done(ok) {
        button.textContent = ok ? 'Copied' : 'Press Ctrl-C';
        setTimeout(function () { button.textContent = 'Copy'; }, 2000);
      }
      function select() {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { return document.execCommand('copy'); } catch (error) { return false; }
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent).then(function () { done(true); }, function () { done(select()); });
      } else {
        done(select());
      }
    });
  });
})();
(function () {
  'use strict';
  var form = document.getElementById('filters');
  if (!form) return;
  form.hidden = false;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="status"]'));
  var search = form.querySelector('input[type="search"]');
  var shown = document.getElementById('shown-count');
  var empty = document.getElementById('nothing-shown');
  var experiments = Array.prototype.slice.call(document.querySelectorAll('details.experiment'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('section.group'));

  function apply() {
    var statuses = {};
    boxes.forEach(function (box) { statuses[box.value] = box.checked; });
    var words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var visible = 0;
    experiments.forEach(function (experiment) {
      var text = experiment.getAttribute('data-search') || '';
      var show = statuses[experiment.getAttribute('data-status')] === true &&
        words.every(function (word) { return text.indexOf(word) >= 0; });
      experiment.hidden = !show;
      if (show) visible += 1;
    });
    groups.forEach(function (group) { group.hidden = !group.querySelector('details.experiment:not([hidden])'); });
    shown.textContent = 'Showing ' + visible + ' of ' + experiments.length + ' experiments';
    empty.hidden = visible > 0;
  }

  function setOpen(open) {
    experiments.forEach(function (experiment) { if (!experiment.hidden) experiment.open = open; });
  }

  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  document.getElementById('expand-all').addEventListener('click', function () { setOpen(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { setOpen(false); });

  function openFromHash() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (error) { return; }
    var target = id ? document.getElementById(id) : null;
    if (target && target.tagName === 'DETAILS') target.open = true;
  }
  window.addEventListener('hashchange', openFromHash);
  openFromHash();
  apply();
})();
`;
