/*
 * sync.js — while a sync is queued or running, poll the connection's
 * status, show how far it is ("Syncing GA4… 2 of 3 properties done") and,
 * when it is done, load the page again saying what it came to (the page
 * says it: "Sync finished: 1,632 rows fetched, … in 2.4 s" or the error).
 * Without JavaScript the page says the same thing and a reload shows it.
 */
(function () {
	"use strict";
	var box = document.getElementById("history");
	if (!box || !box.dataset.job)
		return;
	var url = box.dataset.statusUrl, tries = 0;
	function poll() {
		if (++tries > 900)	/* about an hour */
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
			if (s && s.live && el)
				el.firstChild.textContent = s.live + " ";
			setTimeout(poll, tries < 60 ? 2000 : 5000);
		    })
		    .catch(function () { setTimeout(poll, 5000); });
	}
	setTimeout(poll, 2000);
})();
