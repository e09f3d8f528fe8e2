// Follows a running run on its page: appends new log bytes to each step's <pre> and reloads
// the page once the run has ended (or a new step has started), so the steps and the gate
// table are rendered by the server. Without JavaScript, reloading the page does the same.
(function () {
  const script = document.currentScript;
  const runURL = script.dataset.run;
  const knownSteps = document.querySelectorAll("pre.log").length;

  async function followLogs() {
    for (const pre of document.querySelectorAll("pre.log")) {
      const offset = Number(pre.dataset.offset || 0);
      const response = await fetch(pre.dataset.log + "?offset=" + offset, { credentials: "same-origin" });
      if (!response.ok) continue;
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length === 0) continue;
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent += new TextDecoder().decode(bytes);
      pre.dataset.offset = String(offset + bytes.length);
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
  }

  async function tick() {
    try {
      await followLogs();
      const response = await fetch(runURL, { credentials: "same-origin" });
      if (response.ok) {
        const detail = await response.json();
        if (detail.run.state !== "running" || detail.steps.length !== knownSteps) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // The server may be restarting; try again on the next tick.
    }
    setTimeout(tick, 1000);
  }
  setTimeout(tick, 1000);
})();
