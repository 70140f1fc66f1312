/*
 * picker.js — a long list of accounts narrows as one types in its filter
 * box.  Without JavaScript the same box filters on the server (GET ?q=);
 * hidden boxes stay in the form, so saving keeps what they say.
 */
(function () {
	"use strict";
	var box = document.querySelector("input[data-filter]");
	if (!box)
		return;
	var list = document.getElementById(box.dataset.filter);
	var note = document.getElementById("filter-note");
	if (!list)
		return;
	box.addEventListener("input", function () {
		var q = box.value.trim().toLowerCase(), shown = 0, all = 0;
		list.querySelectorAll("label.check").forEach(function (l) {
			var hit = l.textContent.toLowerCase().indexOf(q) >= 0;
			l.hidden = !hit;
			all++;
			if (hit)
				shown++;
		});
		if (note)
			note.textContent = q === "" ? all + " in this list." :
			    shown + " of " + all + " in this list match.";
	});
})();
