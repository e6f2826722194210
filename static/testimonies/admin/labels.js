/* Names for the inputs Django's admin leaves without one (axe: label,
   aria-input-field-name): the boxes Select2 4.0 builds for autocomplete fields,
   and the date and time halves of a date-time field. Select2 builds its boxes in
   the browser, after the page loads and again for each inline row added, so the
   page is watched rather than read once. */
"use strict";
{
    const NAMED = "data-testimony-named";

    function fieldLabel(id) {
        const label = id && document.querySelector(`label[for="${CSS.escape(id)}"]`);
        if (!label) {
            return null;
        }
        label.id = label.id || `${id}-label`;
        return label;
    }

    function nameSelect2(container) {
        const select = container.previousElementSibling;
        const label = select && select.tagName === "SELECT" && fieldLabel(select.id);
        if (!label) {
            return;
        }
        const selection = container.querySelector(".select2-selection");
        const rendered = container.querySelector(".select2-selection__rendered");
        if (selection) {
            const names = [label.id];
            if (rendered && rendered.id) {
                names.push(rendered.id);  // the current choice, after the name
            }
            selection.setAttribute("aria-labelledby", names.join(" "));
        }
        if (rendered) {
            // A read-only "textbox" inside the combobox, which select2 4.1 dropped.
            rendered.removeAttribute("role");
            rendered.removeAttribute("aria-readonly");
        }
        const search = container.querySelector(".select2-search__field");
        if (search) {
            search.setAttribute("aria-labelledby", label.id);
        }
        container.setAttribute(NAMED, "");
    }

    function nameDropdownSearch(search) {
        // "select2-id_source-results": the list this search box filters.
        const match = /^select2-(.+)-results$/.exec(search.getAttribute("aria-controls") || "");
        const label = match && fieldLabel(match[1]);
        if (label) {
            search.setAttribute("aria-labelledby", label.id);
        }
    }

    function nameDateTime(paragraph) {
        const row = paragraph.closest(".form-row, .fieldBox");
        const label = row && row.querySelector("label");
        const field = label ? label.textContent.trim().replace(/[:：]$/, "") : "";
        for (const input of paragraph.querySelectorAll("input")) {
            let part = input.previousSibling;
            while (part && part.nodeType !== Node.TEXT_NODE) {
                part = part.previousSibling;
            }
            const half = part ? part.textContent.trim().replace(/[:：]$/, "") : "";
            const name = [field, half].filter(Boolean).join(": ");
            if (name && !input.hasAttribute("aria-label")) {
                input.setAttribute("aria-label", name);
            }
        }
        paragraph.setAttribute(NAMED, "");
    }

    function nameAll() {
        document.querySelectorAll(`.select2-container:not([${NAMED}])`).forEach(nameSelect2);
        document.querySelectorAll(".select2-search--dropdown .select2-search__field:not([aria-labelledby])")
            .forEach(nameDropdownSearch);
        document.querySelectorAll(`p.datetime:not([${NAMED}])`).forEach(nameDateTime);
    }

    let pending = false;
    function soon() {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(() => {
                pending = false;
                nameAll();
            });
        }
    }

    document.addEventListener("DOMContentLoaded", () => {
        nameAll();
        new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
    });
}
