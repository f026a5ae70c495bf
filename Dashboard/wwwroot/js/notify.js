// Opt-in browser notifications: asked for only when the user clicks "Notify me".
export async function request() {
    if (!("Notification" in window)) {
        return "unsupported";
    }
    if (Notification.permission === "granted" || Notification.permission === "denied") {
        return Notification.permission;
    }
    return await Notification.requestPermission();
}

export function show(title, body) {
    if ("Notification" in window && Notification.permission === "granted") {
        new Notification(title, { body, tag: title });
    }
}
