/*
 * sync.js — while a sync is queued or running, poll the connection's
 * status and, when it is done, load the page again saying so (not the
 * "queued" note it was opened with): the history then shows the result.
 * Without JavaScript the page says the same thing and a reload shows it.
 */
(function () {
	"use strict";
	var box = document.getElementById("history");
	if (!box || !box.dataset.job)
		return;
	var url = box.dataset.statusUrl, tries = 0;
	function poll() {
		if (++tries > 120)
			return;
		fetch(url, { credentials: "same-origin", cache: "no-store" })
		    .then(function (r) { return r.ok ? r.json() : null; })
		    .then(function (s) {
			if (s && !s.job) {
				var u = new URL(window.location.href);
				u.searchParams.set("msg", "sync_done");
				window.location.replace(u.toString());
				return;
			}
			var el = document.getElementById("job-state");
			if (s && el)
				el.textContent = "A sync is " + s.job +
				    "; this page updates by itself.";
			setTimeout(poll, 2000);
		    })
		    .catch(function () { setTimeout(poll, 5000); });
	}
	setTimeout(poll, 2000);
})();
