// Dark mode preference, kept in localStorage; the system preference decides until the user chooses.
const key = "dashboard.darkMode";

export function load() {
    const stored = localStorage.getItem(key);
    if (stored === null) {
        return window.matchMedia("(prefers-color-scheme: dark)").matches;
    }
    return stored === "1";
}

export function save(dark) {
    localStorage.setItem(key, dark ? "1" : "0");
}
