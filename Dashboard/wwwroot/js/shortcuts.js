// Ctrl+Enter (Cmd+Enter on a Mac) submits the form the focus is in, when the form opts in with
// data-ctrl-enter: a long prompt can be sent without leaving the keyboard.
document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) {
        return;
    }
    const form = event.target instanceof Element ? event.target.closest("form[data-ctrl-enter]") : null;
    if (form) {
        event.preventDefault();
        form.requestSubmit();
    }
});
