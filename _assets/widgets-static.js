// A small, kernel-less renderer for the ipywidgets the book stores with its
// notebooks, in place of the 3.5 MB Jupyter widgets HTML manager.
//
// It reads the page's widget state (window.bookWidgetState, which the book's
// build moves into a script beside the page, or else an inline
// application/vnd.jupyter.widget-state+json script) and draws every widget
// view (application/vnd.jupyter.widget-view+json) it knows: VBox, HBox and
// Box, Stack, Image, Label, SelectionSlider, IntSlider and FloatSlider, with
// the client-side links of `jslink` and `jsdlink`. Python callbacks cannot
// run without a kernel; links can, so a slider linked to a Stack of pictures
// computed in advance stays live. Sliders are native range inputs with a
// <label>, operable from the keyboard; a picture's alternative
// text is the `alt` of its state (where d2lsave.slider_figure stores it) or
// else its tooltip.
(function () {
  'use strict';

  const STATE_TYPE = 'application/vnd.jupyter.widget-state+json';
  const VIEW_TYPE = 'application/vnd.jupyter.widget-view+json';
  const REFERENCE = 'IPY_MODEL_';
  let nextId = 0;

  class Model {
    constructor(id, name, state, buffers) {
      this.id = id;
      this.name = name;
      this.state = state;
      this.buffers = buffers;  // attribute name -> {data, encoding}
      this.listeners = {};
    }

    get(attribute) {
      return this.state[attribute];
    }

    set(attribute, value) {
      if (this.state[attribute] === value) {
        return;
      }
      this.state[attribute] = value;
      for (const listener of this.listeners[attribute] || []) {
        listener(value);
      }
    }

    on(attribute, listener) {
      (this.listeners[attribute] = this.listeners[attribute] || []).push(listener);
    }
  }

  function savedState() {
    if (window.bookWidgetState) {
      return window.bookWidgetState;
    }
    const script = document.querySelector(`script[type="${STATE_TYPE}"]`);
    return script ? JSON.parse(script.textContent) : null;
  }

  function readModels(state) {
    const models = new Map();
    const saved = state.state || {};
    for (const [id, entry] of Object.entries(saved)) {
      const buffers = {};
      for (const buffer of entry.buffers || []) {
        buffers[buffer.path.join('.')] = buffer;
      }
      models.set(id, new Model(id, entry.model_name, Object.assign({}, entry.state), buffers));
    }
    return models;
  }

  function dereference(models, value) {
    if (typeof value === 'string' && value.startsWith(REFERENCE)) {
      return models.get(value.slice(REFERENCE.length));
    }
    return undefined;
  }

  // jslink (LinkModel) and jsdlink (DirectionalLinkModel): the target takes the
  // source's value now and whenever it changes; a two-way link also back.
  function connectLinks(models) {
    for (const model of models.values()) {
      if (model.name !== 'LinkModel' && model.name !== 'DirectionalLinkModel') {
        continue;
      }
      const [sourceRef, sourceAttribute] = model.get('source') || [];
      const [targetRef, targetAttribute] = model.get('target') || [];
      const source = dereference(models, sourceRef);
      const target = dereference(models, targetRef);
      if (!source || !target) {
        continue;
      }
      target.set(targetAttribute, source.get(sourceAttribute));
      source.on(sourceAttribute, (value) => target.set(targetAttribute, value));
      if (model.name === 'LinkModel') {
        target.on(targetAttribute, (value) => source.set(sourceAttribute, value));
      }
    }
  }

  function element(tag, className, attributes) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    return node;
  }

  function renderBox(models, model, direction) {
    const box = element('div', `widget-box widget-${direction}`);
    for (const reference of model.get('children') || []) {
      const child = dereference(models, reference);
      if (child) {
        box.appendChild(render(models, child));
      }
    }
    return box;
  }

  // Only the selected child is drawn; the others are drawn when first selected.
  function renderStack(models, model) {
    const stack = element('div', 'widget-stack');
    const children = (model.get('children') || []).map((ref) => dereference(models, ref));
    const drawn = new Map();
    function show(index) {
      for (const node of drawn.values()) {
        node.hidden = true;
      }
      const child = children[index];
      if (child === undefined) {
        return;
      }
      if (!drawn.has(index)) {
        drawn.set(index, stack.appendChild(render(models, child)));
      }
      drawn.get(index).hidden = false;
    }
    show(model.get('selected_index'));
    model.on('selected_index', show);
    return stack;
  }

  function renderImage(model) {
    const buffer = model.buffers.value;
    const format = model.get('format') || 'png';
    const text = model.get('alt') || model.get('tooltip') || '';
    const image = element('img', 'widget-image', {alt: text});
    if (buffer && buffer.encoding === 'base64') {
      image.src = format === 'url' ? atob(buffer.data)
        : `data:image/${format};base64,${buffer.data}`;
    }
    for (const size of ['width', 'height']) {
      if (model.get(size)) {
        image.setAttribute(size, model.get(size));
      }
    }
    return image;
  }

  function renderLabel(model) {
    const label = element('div', 'widget-label-basic');
    label.textContent = model.get('value') || '';
    return label;
  }

  // A range input over option positions (SelectionSlider: `index`) or over
  // values (IntSlider, FloatSlider: `value`), labelled by the description.
  function renderSlider(model, selection) {
    const id = `widget-static-${nextId++}`;
    const row = element('div', 'widget-slider widget-hslider');
    const label = element('label', 'widget-label', {for: id});
    label.textContent = model.get('description') || '';
    const input = element('input', 'widget-static-range', {type: 'range', id: id});
    const readout = element('output', 'widget-readout', {for: id});
    const attribute = selection ? 'index' : 'value';
    const labels = model.get('_options_labels') || [];
    if (selection) {
      Object.assign(input, {min: 0, max: Math.max(labels.length - 1, 0), step: 1});
    } else {
      Object.assign(input, {min: model.get('min'), max: model.get('max'),
                            step: model.get('step') || 1});
    }
    input.disabled = Boolean(model.get('disabled'));
    function show(value) {
      input.value = value;
      const text = selection ? String(labels[value]) : String(value);
      readout.textContent = text;
      input.setAttribute('aria-valuetext', text);
    }
    input.addEventListener('input', () => {
      const number = Number(input.value);
      model.set(attribute, number);
      show(number);
    });
    show(model.get(attribute));
    model.on(attribute, show);
    row.append(label, input, readout);
    if (!model.get('readout')) {
      readout.hidden = true;
    }
    return row;
  }

  function render(models, model) {
    switch (model.name) {
      case 'VBoxModel': return renderBox(models, model, 'vbox');
      case 'HBoxModel': return renderBox(models, model, 'hbox');
      case 'BoxModel': return renderBox(models, model, 'box');
      case 'StackModel': return renderStack(models, model);
      case 'ImageModel': return renderImage(model);
      case 'LabelModel': return renderLabel(model);
      case 'SelectionSliderModel': return renderSlider(model, true);
      case 'IntSliderModel':
      case 'FloatSliderModel': return renderSlider(model, false);
      default: {
        const note = element('div', 'widget-static-unsupported');
        note.textContent = `(${model.name.replace(/Model$/, '')}: needs a running notebook)`;
        return note;
      }
    }
  }

  function renderPage() {
    const saved = savedState();
    if (!saved) {
      return;
    }
    const models = readModels(saved);
    connectLinks(models);
    for (const script of document.querySelectorAll(`script[type="${VIEW_TYPE}"]`)) {
      const model = models.get(JSON.parse(script.textContent).model_id);
      if (!model) {
        continue;
      }
      const area = element('div', 'jupyter-widgets widget-static');
      area.appendChild(render(models, model));
      script.after(area);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', renderPage);
  } else {
    renderPage();
  }
})();
