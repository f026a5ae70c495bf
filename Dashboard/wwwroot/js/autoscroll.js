// Follows the bottom of a scrolling element while content grows, until the user scrolls up;
// following resumes when they scroll back to the bottom.
const slack = 48;

export function follow(element) {
    let stick = true;
    const atBottom = () => element.scrollHeight - element.scrollTop - element.clientHeight <= slack;
    const onScroll = () => { stick = atBottom(); };
    const observer = new MutationObserver(() => {
        if (stick) {
            element.scrollTop = element.scrollHeight;
        }
    });
    element.addEventListener("scroll", onScroll, { passive: true });
    observer.observe(element, { childList: true, subtree: true, characterData: true });
    element.scrollTop = element.scrollHeight;
    return {
        dispose() {
            observer.disconnect();
            element.removeEventListener("scroll", onScroll);
        },
    };
}
