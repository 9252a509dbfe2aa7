// Steps through the replays and highlights the journeys the page embeds:
// every line and every element id was computed when the page was written,
// so this script only shows them. It fetches nothing.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("touchpoint-data").textContent);

  function unmark(cls) {
    document.querySelectorAll("." + cls).forEach(function (e) { e.classList.remove(cls); });
  }
  function mark(id, cls) {
    const e = id ? document.getElementById(id) : null;
    if (e) { e.classList.add(cls); }
    return e;
  }

  document.querySelectorAll("button.journey").forEach(function (button) {
    button.addEventListener("click", function () {
      const journey = data.journeys[Number(button.dataset.journey)];
      unmark("on-path");
      unmark("selected");
      button.classList.add("selected");
      let first = null;
      journey.at.forEach(function (id) {
        const marked = mark(id, "on-path");
        first = first || marked;
      });
      document.getElementById("journey-shown").textContent = journey.label;
      if (first) { first.scrollIntoView({ block: "center", inline: "center" }); }
    });
  });

  document.querySelectorAll(".stepper").forEach(function (stepper) {
    const steps = data.findings[Number(stepper.dataset.finding)].steps;
    const transcript = stepper.querySelector("ol.transcript");
    const count = stepper.querySelector(".step-count");
    let shown = 0;
    function show() {
      transcript.textContent = "";
      for (let i = 0; i < shown; i++) {
        const line = document.createElement("li");
        line.textContent = steps[i].line;
        if (i === shown - 1) { line.className = "current"; }
        transcript.appendChild(line);
      }
      count.textContent = shown + "/" + steps.length;
      unmark("here");
      const at = shown > 0 ? steps[shown - 1].at : null;
      stepper.dataset.at = at || "";
      const e = mark(at, "here");
      if (e) { e.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    }
    stepper.querySelector("button.step").addEventListener("click", function () {
      if (shown < steps.length) { shown += 1; show(); }
    });
    stepper.querySelector("button.step-back").addEventListener("click", function () {
      if (shown > 0) { shown -= 1; show(); }
    });
  });
})();
