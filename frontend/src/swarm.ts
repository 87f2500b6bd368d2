// The start / edit form: users, spawn rate, host, run time, (with --class-picker) classes, and the
// options the locustfile added.

import type { Api, Config, CustomOption } from "./api";
import { h } from "./dom";

export class SwarmForm {
  readonly dialog: HTMLDialogElement;
  private readonly form: HTMLFormElement;
  private readonly message: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private editing = false;

  constructor(
    private readonly api: Api,
    private readonly config: Config,
    private readonly onStarted: () => void,
  ) {
    this.heading = h("h2", {}, "Start a new test");
    this.message = h("p", { class: "form-error", role: "alert" });
    this.submit = h("button", { type: "submit", class: "primary" }, "Start");
    const classes = config.classPicker
      ? h(
          "fieldset",
          { class: "classes" },
          h("legend", {}, "User classes"),
          ...config.userClasses.map((name) =>
            h("label", {}, h("input", { type: "checkbox", name: "user_classes", value: name, checked: true }), name),
          ),
        )
      : null;
    this.form = h(
      "form",
      { method: "dialog", class: "swarm-form" },
      this.heading,
      h(
        "label",
        { class: "hide-when-shape" },
        "Number of users (peak concurrency)",
        h("input", { name: "user_count", type: "number", min: 0, step: 1, required: true, value: config.userCount ?? 1 }),
      ),
      h(
        "label",
        { class: "hide-when-shape" },
        "Ramp up (users started/second)",
        h("input", { name: "spawn_rate", type: "number", min: 0.001, step: "any", required: true, value: config.spawnRate ?? 1 }),
      ),
      h(
        "label",
        { class: "hide-when-shape" },
        "Arrival rate (open model: iterations/second, e.g. 50 or 50/s, or stages 30s:100,1m:0; the users above are its pool; empty: users loop)",
        h("input", {
          name: "arrival_rate",
          type: "text",
          placeholder: "empty: each user loops over its tasks",
          value: config.arrivalRate ?? "",
        }),
      ),
      h(
        "label",
        { class: "new-only" },
        "Host",
        h("input", { name: "host", type: "url", placeholder: "http://127.0.0.1:8080", value: config.host ?? "" }),
      ),
      h(
        "label",
        { class: "new-only" },
        "Run time (e.g. 30s, 5m, 1h30m; empty: until stopped)",
        h("input", {
          name: "run_time",
          type: "text",
          pattern: "^\\s*(\\d+|(\\d+h)?(\\d+m)?(\\d+s)?)\\s*$",
          title: "A time span such as 90, 30s, 5m or 1h30m",
          value: "",
        }),
      ),
      classes,
      ...config.customOptions.map(customField),
      this.message,
      h(
        "div",
        { class: "form-buttons" },
        h("button", { type: "button", class: "ghost", onclick: () => this.dialog.close() }, "Cancel"),
        this.submit,
      ),
    );
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.send();
    });
    this.dialog = h("dialog", { class: "swarm-dialog", "aria-label": "Start a test" }, this.form);
    if (config.shape) this.form.classList.add("shape");
  }

  open(editing: boolean): void {
    this.editing = editing;
    this.form.classList.toggle("editing", editing);
    // The locustfile's options belong to a new test: hidden and not checked (required ones) when editing.
    for (const input of this.form.querySelectorAll<HTMLInputElement | HTMLSelectElement>(".custom input, .custom select")) {
      input.disabled = editing;
    }
    this.heading.textContent = editing ? "Change the running test" : "Start a new test";
    this.submit.textContent = editing ? "Update" : "Start";
    this.message.textContent = "";
    if (!this.dialog.open) this.dialog.showModal();
  }

  private async send(): Promise<void> {
    const data = new FormData(this.form);
    const form = new URLSearchParams();
    for (const [key, value] of data.entries()) {
      if (this.editing && (key === "host" || key === "run_time" || key === "user_classes")) continue;
      if (typeof value === "string" && (value !== "" || key === "user_classes")) form.append(key, value);
    }
    if (!this.editing) {
      for (const option of this.config.customOptions) {
        if (option.flag) form.set(option.name, data.has(option.name) ? "true" : "false"); // unticked too
      }
    }
    if (this.config.shape) {
      form.delete("user_count");
      form.delete("spawn_rate");
      form.delete("arrival_rate");
    }
    if (this.config.classPicker && !this.editing && !form.getAll("user_classes").length) {
      this.message.textContent = "Pick at least one User class.";
      return;
    }
    this.submit.disabled = true;
    try {
      const answer = await this.api.post("/swarm", form);
      if (!answer.success) {
        this.message.textContent = answer.message;
        return;
      }
      this.dialog.close();
      this.onStarted();
    } catch (error) {
      this.message.textContent = `Could not reach Horde: ${String(error)}`;
    } finally {
      this.submit.disabled = false;
    }
  }
}

function customField(option: CustomOption): HTMLElement {
  const title = option.help || undefined;
  if (option.flag) {
    const box = h("input", { type: "checkbox", name: option.name, value: "true", checked: option.value === true });
    return h("label", { class: "new-only custom flag", title }, box, option.label);
  }
  const value = option.value === null || typeof option.value === "boolean" ? "" : option.value;
  let input: HTMLInputElement | HTMLSelectElement;
  if (option.choices) {
    const chosen = new Set(value.split(","));
    input = h(
      "select",
      { name: option.name, multiple: option.multiple, required: option.required },
      ...option.choices.map((choice) => h("option", { value: choice, selected: chosen.has(choice) }, choice)),
    );
  } else {
    input = h("input", {
      name: option.name,
      type: option.secret ? "password" : "text",
      required: option.required,
      value,
      autocomplete: option.secret ? "off" : undefined,
    });
  }
  return h("label", { class: "new-only custom", title }, option.help ? `${option.label} (${option.help})` : option.label, input);
}
