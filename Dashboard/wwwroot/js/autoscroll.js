// Follows the bottom of a scrolling element while its run streams and the reader stays at the
// bottom; scrolling up stops following, scrolling back down resumes it. An ended run is opened
// at the top and never followed.
const slack = 48;

export function follow(element, live) {
    let following = !!live;
    let stick = true;
    const atBottom = () => element.scrollHeight - element.scrollTop - element.clientHeight <= slack;
    const onScroll = () => { stick = atBottom(); };
    const observer = new MutationObserver(() => {
        if (following && stick) {
            element.scrollTop = element.scrollHeight;
        }
    });
    element.addEventListener("scroll", onScroll, { passive: true });
    observer.observe(element, { childList: true, subtree: true, characterData: true });
    if (following) {
        element.scrollTop = element.scrollHeight;
    }
    return {
        stop() {
            following = false;
        },
        dispose() {
            observer.disconnect();
            element.removeEventListener("scroll", onScroll);
        },
    };
}
