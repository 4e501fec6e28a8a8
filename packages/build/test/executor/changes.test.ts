// The engine's answer to GET /containers/{id}/changes as dockerode hands it over: a parsed array,
// or for a step that changed nothing `null`, which arrives as a Buffer (the crash of issue 10).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { changeList } from '../../src/executor/engine.js';

test('null, empty and JSON text or bytes all become a list', () => {
  assert.equal(changeList(null), []);
  assert.equal(changeList(Buffer.from('null\n')), []);
  assert.equal(changeList(Buffer.from('')), []);
  assert.equal(changeList('[{"Path":"/etc","Kind":0}]'), [{ Path: '/etc', Kind: 0 }]);
  assert.equal(changeList(Buffer.from('[{"Path":"/x","Kind":1},{"Path":"/y","Kind":2}]')), [{ Path: '/x', Kind: 1 }, { Path: '/y', Kind: 2 }]);
  assert.equal(changeList([{ Path: '/x', Kind: 1 }]), [{ Path: '/x', Kind: 1 }]);
});

test('anything else is an error that says what came', () => {
  assert.throws(() => changeList({ message: 'no such container' }), /no such container/);
});

test.run();
