// The reader's theme and time zone, as the circuit learns them after its first render. The theme
// is a cookie so the server renders the right one at first paint next time; until the user picks
// one, the system's colour scheme decides.
const themeCookie = "dashboard-theme";
const year = 60 * 60 * 24 * 365;

function cookie(name) {
    return document.cookie.split("; ").find(c => c.startsWith(name + "="))?.split("=")[1];
}

export function load() {
    const stored = cookie(themeCookie);
    return stored === undefined ? window.matchMedia("(prefers-color-scheme: dark)").matches : stored === "dark";
}

export function timeZone() {
    try {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch {
        return null; // No Intl: times stay in UTC.
    }
}

export function save(dark) {
    document.cookie = `${themeCookie}=${dark ? "dark" : "light"}; path=/; max-age=${year}; samesite=lax`;
    document.documentElement.classList.remove("prefers-dark");
}
