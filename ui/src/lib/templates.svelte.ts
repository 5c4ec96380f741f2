// The letter templates and the one being edited, shared by the template list and the editor: the editor's preview
// is rendered on a real request, again shortly after each keystroke.
import { call, message } from "./api";
import { queryOf } from "./queue.svelte";
import type { Rendered, TemplateCatalogue, TemplateRow } from "./api";

export class TemplateEditor {
  catalogue = $state<TemplateCatalogue | null>(null);
  /** The language the list shows. */
  filterLang = $state("en");
  editing = $state<TemplateRow | null>(null);
  subject = $state("");
  body = $state("");
  /** The request the preview is rendered on. */
  sampleRef = $state("");
  preview = $state<Rendered | null>(null);
  previewError = $state<string | null>(null);
  /** Counts the officer's "Edit" clicks: the editor comes into view on each, even for the same template. */
  opened = $state(0);
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Reads the catalogue, and the first time the newest request as the preview's sample. */
  async load() {
    this.catalogue = await call("templateCatalogue");
    if (!this.sampleRef) {
      const page = await call("listRequests", {
        query: queryOf({ sort: "received", descending: true, limit: 1 }),
      });
      this.sampleRef = page.items[0]?.reference ?? "";
    }
  }

  edit(t: TemplateRow) {
    this.editing = t;
    this.subject = t.subject;
    this.body = t.body;
    this.preview = null;
    this.previewError = null;
    this.opened += 1;
    this.refresh();
  }

  refresh = () => {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      const t = this.editing;
      if (!t || !this.sampleRef) return;
      try {
        this.preview = await call("previewDraft", {
          reference: this.sampleRef,
          stage: t.stage,
          lang: t.lang,
          subject: this.subject,
          body: this.body,
        });
        this.previewError = null;
      } catch (e) {
        this.previewError = message(e);
      }
    }, 300);
  };

  insert(variable: string) {
    this.body = `${this.body}{{ ${variable} }}`;
    this.refresh();
  }
}
