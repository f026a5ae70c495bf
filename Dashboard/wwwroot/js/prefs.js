// Runs in <head> before the page paints and before the circuit starts: tells the server the
// browser's time zone and, until the user picks a theme, the system's colour scheme, through
// cookies the next request (and the circuit's own connection) carries.
(function () {
    const year = 60 * 60 * 24 * 365;
    const set = (name, value) => { document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=${year}; samesite=lax`; };
    const get = (name) => document.cookie.split("; ").find(c => c.startsWith(name + "="))?.split("=")[1];
    try {
        set("dashboard-tz", Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
    } catch {
        // No Intl: times stay labelled UTC.
    }
    if (!get("dashboard-theme") && window.matchMedia("(prefers-color-scheme: dark)").matches) {
        // First visit: the server rendered light; darken the canvas until the circuit applies the theme.
        document.documentElement.classList.add("prefers-dark");
    }
})();
