// Copy buttons of rendered code blocks. One delegated listener for the whole page, installed once.
let installed = false;

export function install() {
    if (installed) {
        return;
    }
    installed = true;
    document.addEventListener("click", async (event) => {
        const button = event.target instanceof Element ? event.target.closest("button.md-copy") : null;
        const code = button?.closest(".md-code")?.querySelector("pre code");
        if (!code) {
            return;
        }
        try {
            await navigator.clipboard.writeText(code.textContent ?? "");
            flash(button, "Copied");
        } catch {
            flash(button, "Copy failed");
        }
    });
}

function flash(button, text) {
    button.textContent = text;
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
}
