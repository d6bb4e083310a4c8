// Runs before the page paints (not deferred): marks that JavaScript runs, so the stylesheet can hide the
// no-JavaScript fallbacks (the navigation strip, the always-shown bulk bar) without a flash.
document.documentElement.classList.add("js");
