package io.segmenttransfer.pinotfetcher;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The constant pool of a class file (JVMS 4.4), read just far enough to list its class constants
 * and its UTF-8 entries (names, descriptors, signatures, string literals).
 */
record ConstantPool(List<String> classNames, List<String> strings) {

  static ConstantPool read(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> classIndexes = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF(); // the class-file encoding is DataInput's modified UTF-8
        case 7 -> classIndexes.add(in.readUnsignedShort());
        case 8, 16, 19, 20 -> in.readUnsignedShort();
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // takes two slots
        }
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
      }
    }
    List<String> classNames = new ArrayList<>();
    for (int index : classIndexes) {
      classNames.add(utf8[index]);
    }
    List<String> strings = new ArrayList<>();
    for (String s : utf8) {
      if (s != null) {
        strings.add(s);
      }
    }
    return new ConstantPool(classNames, strings);
  }
}
