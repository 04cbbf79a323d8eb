import { decodeLoginBody } from "../../src/simulator/login-body";

const STRUCT = "struct { Username string; Password string }";
const ok = (username: string, password: string) => ({ ok: true, username, password });
const error = (message: string) => ({ ok: false, message });

describe("the login body, decoded as Go's encoding/json decodes it", () => {
  it.each([
    ['{"username":"u","password":"p"}', ok("u", "p")],
    ['  \n{"Username":"u","PASSWORD":"p"}', ok("u", "p")],
    ['{"uSeRnAmE":"u"}', ok("u", "")],
    ['{"username":"a","username":"b","password":"p"}', ok("b", "p")],
    ['{"username":"u","password":"p","extra":[1,{"x":"}"}]}', ok("u", "p")],
    ['{"username":"u","password":"p"} {"username":"other"}', ok("u", "p")],
    ['{"username":"u","password":"p"}]]]', ok("u", "p")],
    ['{"username":"u","x":[[1],[2]]} trailing', ok("u", "")],
    ['{"username":"a\\"}b","password":"p"}', ok('a"}b', "p")],
    ['{"username":null,"password":"p"}', ok("", "p")],
    ["null", ok("", "")],
    ["{}", ok("", "")],
  ])("decodes %s", (body, expected) => {
    expect(decodeLoginBody(body)).toEqual(expected);
  });

  it.each([
    ["", error("EOF")],
    [" \t\n", error("EOF")],
    ["[]", error(`json: cannot unmarshal array into Go value of type ${STRUCT}`)],
    [" \t\r\n12", error(`json: cannot unmarshal number into Go value of type ${STRUCT}`)],
    ["[1] trailing", error(`json: cannot unmarshal array into Go value of type ${STRUCT}`)],
    ['"u"', error(`json: cannot unmarshal string into Go value of type ${STRUCT}`)],
    ["12", error(`json: cannot unmarshal number into Go value of type ${STRUCT}`)],
    ["true", error(`json: cannot unmarshal bool into Go value of type ${STRUCT}`)],
    [
      '{"username":1,"password":true}',
      error("json: cannot unmarshal number into Go struct field .Username of type string"),
    ],
    [
      '{"username":"u","password":["p"]}',
      error("json: cannot unmarshal array into Go struct field .Password of type string"),
    ],
    [
      '{"username":"u","password":{"p":1}}',
      error("json: cannot unmarshal object into Go struct field .Password of type string"),
    ],
    [
      '{"username":"u","password":false}',
      error("json: cannot unmarshal bool into Go struct field .Password of type string"),
    ],
    ['{"username":"u"', error("unexpected EOF")],
    ['["u"', error("unexpected EOF")],
    ["xyz", error("invalid character 'x' looking for beginning of value")],
    ["\uFEFF{}", error("invalid character '\u00ef' looking for beginning of value")],
    ["\u00a0{}", error("invalid character '\u00c2' looking for beginning of value")],
    ["'u'", error("invalid character '\\'' looking for beginning of value")],
    ['{"username":u}', error("invalid character in JSON value")],
    ["nul", error("invalid character in JSON value")],
  ])("refuses %j", (body, expected) => {
    expect(decodeLoginBody(body)).toEqual(expected);
  });
});
