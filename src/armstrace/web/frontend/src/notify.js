// The error bar: one place for the API's messages (a bad filter, a 401 on a write), so
// every view reports the same way. Text only.
export function showError(message) {
  const box = document.getElementById("error");
  if (!box) return;
  box.hidden = !message;
  box.textContent = message || "";
}
