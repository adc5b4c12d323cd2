// Search results: show each page's own words, not the theme's buttons and side lists.
// Sphinx's search builds a result's snippet from the text of the page's main element, which in this
// theme also holds the article's header buttons ("System Settings", "Light", "Dark"), a copy of the title and
// contents list for printing, and the side list of contents; this drops them before the snippet is made.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const pageText = Search.htmlToText;
  const notPageText = ".bd-header-article, .onlyprint, .bd-sidebar-secondary, .prev-next-area, .bd-footer-article";
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(notPageText).forEach((element) => element.remove());
    return pageText(page.documentElement.outerHTML, anchor);
  };
});
