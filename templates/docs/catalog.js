// The search box: shows the rows whose text holds every word typed. Rows
// marked data-on-query appear only while there is a query; a group whose
// rows are all hidden is hidden too. The query is kept in the address
// (#q=...), so a filtered view can be shared and survives going back.
(function () {
  "use strict";
  var input = document.getElementById("filter");
  if (!input) {
    return;
  }
  var box = input.closest(".search");
  var status = document.getElementById("filter-status");
  var none = document.getElementById("no-match");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-search]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));

  function count(kind, shown) {
    return rows.filter(function (row) {
      return row.getAttribute("data-kind") === kind && (!shown || !row.hidden);
    }).length;
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search");
      var match = terms.every(function (term) {
        return text.indexOf(term) !== -1;
      });
      var onQuery = row.hasAttribute("data-on-query");
      row.hidden = !match || (onQuery && terms.length === 0);
    });
    groups.forEach(function (group) {
      var visible = group.querySelector("tr[data-search]:not([hidden])");
      group.hidden = !visible;
    });
    var shown = rows.filter(function (row) {
      return !row.hidden;
    }).length;
    if (none) {
      none.hidden = shown > 0;
    }
    if (status) {
      if (terms.length === 0) {
        status.textContent = "";
      } else {
        var parts = [];
        if (count("contract", false) > 0) {
          parts.push(plural(count("contract", true), "contract"));
        }
        if (count("column", false) > 0) {
          parts.push(plural(count("column", true), "column"));
        }
        status.textContent = parts.join(", ") + " match";
      }
    }
  }

  function fromAddress() {
    var match = /^#q=(.*)$/.exec(window.location.hash);
    if (match) {
      try {
        input.value = decodeURIComponent(match[1]);
      } catch (e) {
        input.value = "";
      }
    }
  }

  input.addEventListener("input", function () {
    apply();
    var query = input.value.trim();
    var address = window.location.pathname + window.location.search +
      (query ? "#q=" + encodeURIComponent(query) : "");
    try {
      window.history.replaceState(null, "", address);
    } catch (e) {
      // Some browsers refuse replaceState on file:// pages; the filter still works.
    }
  });
  window.addEventListener("hashchange", function () {
    fromAddress();
    apply();
  });
  if (box) {
    box.hidden = false;
  }
  fromAddress();
  apply();
})();
